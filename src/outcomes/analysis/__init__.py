"""Statistical analyses: survival, response, disease activity, safety, optimal biological dose."""
