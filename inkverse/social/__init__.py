"""Social, read side only: comment threads and replies, reply counts and like counts (public reads).

Nothing here writes: posting comments, liking, subscribing and reporting are not implemented yet."""
