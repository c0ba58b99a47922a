"""What both API clients take from the Airbyte CDK's HTTP client alike."""
from .retried_answers import RetriedAnswers

__all__ = ["RetriedAnswers"]
