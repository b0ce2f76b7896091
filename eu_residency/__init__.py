"""eu-residency: prove that CloudFormation templates and AWS accounts keep user data in the EU, encrypted."""
