"""zhaoshang-cli: articles, policies and investor leads for investment-promotion teams."""

__version__ = "0.1.0"
