"""SQS: queue URLs, typed message envelopes, sending, receiving and queue administration."""
