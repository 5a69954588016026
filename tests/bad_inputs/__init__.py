"""Bad and messy inputs, built in code at test time, with the outcome each one must have."""
