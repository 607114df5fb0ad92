"""Monthly cost estimate of an environment, counted from its synthesized templates."""
