"""Product Image Manager: curate the product images of a BigCommerce store."""

__version__ = "0.1.0"
APP_NAME = "Product Image Manager"
