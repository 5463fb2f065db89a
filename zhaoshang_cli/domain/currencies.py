"""The currencies an amount may be kept in (amounts.py reads and writes amounts).  Apart
from amounts.py so that what only needs the list (the index, the store's checks) does not
import the parsing, which brings ``decimal`` into every command."""

CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP")  # in this order in sorts and reports
DEFAULT_CURRENCY = "CNY"
CURRENCY_UNITS = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元", "GBP": "英镑"}
