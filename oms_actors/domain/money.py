"""Money as integer minor units plus an ISO 4217 currency; never a float."""

from __future__ import annotations

import msgspec

# Active ISO 4217 codes by number of minor-unit digits (the standard's list, 2024).
_CODES_BY_EXPONENT = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
    2: (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
        "CAD CDF CHE CHF CHW COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP "
        "GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
        "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
        "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
        "TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWG"
    ),
}
CURRENCY_EXPONENT: dict[str, int] = {
    code: exp for exp, codes in _CODES_BY_EXPONENT.items() for code in codes.split()
}

# Far above any real order, far below int64 overflow when multiplied by a quantity.
MAX_AMOUNT_MINOR = 10**13


def is_currency(code: str) -> bool:
    return code in CURRENCY_EXPONENT


class Money(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    amount_minor: int
    currency: str

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount_minor=self.amount_minor + other.amount_minor, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount_minor=self.amount_minor - other.amount_minor, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount_minor=self.amount_minor * quantity, currency=self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount_minor=0, currency=currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} and {other.currency}")

    def __str__(self) -> str:
        exp = CURRENCY_EXPONENT.get(self.currency, 2)
        sign = "-" if self.amount_minor < 0 else ""
        whole, frac = divmod(abs(self.amount_minor), 10**exp) if exp else (abs(self.amount_minor), 0)
        return f"{sign}{whole}{'.' + str(frac).zfill(exp) if exp else ''} {self.currency}"
