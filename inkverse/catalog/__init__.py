"""What series and creators share: uuid lookup, short URLs, webhook ordering state, change results."""
