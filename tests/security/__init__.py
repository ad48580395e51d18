"""Security tests: authorization matrix, fuzzing, brute force, webhooks, mass assignment, logs."""
