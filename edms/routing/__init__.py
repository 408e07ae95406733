"""Routing rules of an organization: which department or executor a new card goes to, by card kind, document kind,
correspondent, public service or delivery method; the decision kept per card with the rule that fired and why; a
dry run of the rules on a sample."""
