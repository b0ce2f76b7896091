"""The rule core as a CloudFormation Lambda hook: the handler and what it is configured with."""
