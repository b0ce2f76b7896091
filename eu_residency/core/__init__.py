"""The core every layer stands on: regions, the CloudFormation vocabulary, values, the template view, the rule model."""
