"""The nine stacks of the Family Budget infrastructure and their shared configuration."""
