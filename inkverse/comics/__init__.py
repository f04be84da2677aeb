"""The catalog's comics: series, issues and stories."""
