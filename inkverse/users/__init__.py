"""Users, read side only: public profiles by id, username or claimed creator, and the user count.

Nothing here writes: sign-up, sign-in and profile changes are not implemented yet."""
