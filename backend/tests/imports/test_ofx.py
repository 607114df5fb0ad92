"""OFX and QFX: the streaming tokenizer checked against ofxtools, SGML and XML shapes, chunking."""

from __future__ import annotations

import io
import random
import warnings
from datetime import date
from decimal import Decimal

import pytest
from ofxtools.Parser import OFXTree

from family_budget.imports.parsing import ImportFileError, open_file, parse_file
from tests.imports.conftest import bank_export

SGML_HEADER = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
    "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
)
XML_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" '
    'NEWFILEUID="NONE"?>\n'
)
SIGNON = (
    "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
    "<DTSERVER>20240301120000</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>"
)


def _transaction(index: int, day: date, cents: int, name: str, *, closed: bool) -> str:
    amount = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    fields = [
        ("TRNTYPE", "DEBIT" if cents < 0 else "CREDIT"),
        ("DTPOSTED", day.strftime("%Y%m%d") + "120000"),
        ("TRNAMT", amount),
        ("FITID", f"FIT{index:08d}"),
        ("NAME", name),
        ("MEMO", f"memo {index} " + "x" * (index % 40)),
    ]
    body = "".join(
        f"<{tag}>{value}</{tag}>" if closed else f"<{tag}>{value}\n" for tag, value in fields
    )
    return f"<STMTTRN>{body}</STMTTRN>\n"


def make_ofx(
    transactions: list[tuple[date, int, str]], *, xml: bool, currency: str = "USD"
) -> bytes:
    closed = xml
    body = "".join(
        _transaction(index, day, cents, name, closed=closed)
        for index, (day, cents, name) in enumerate(transactions)
    )

    def leaf(tag: str, value: str) -> str:
        return f"<{tag}>{value}</{tag}>" if closed else f"<{tag}>{value}\n"

    document = (
        "<OFX>"
        + (SIGNON if xml else SIGNON.replace("</CODE>", "").replace("</SEVERITY>", ""))
        + "<BANKMSGSRSV1><STMTTRNRS>"
        + leaf("TRNUID", "1")
        + "<STATUS>"
        + leaf("CODE", "0")
        + leaf("SEVERITY", "INFO")
        + "</STATUS><STMTRS>"
        + leaf("CURDEF", currency)
        + "<BANKACCTFROM>"
        + leaf("BANKID", "121099999")
        + leaf("ACCTID", "999988")
        + leaf("ACCTTYPE", "CHECKING")
        + "</BANKACCTFROM><BANKTRANLIST>"
        + leaf("DTSTART", "20240101")
        + leaf("DTEND", "20240301")
        + "\n"
        + body
        + "</BANKTRANLIST><LEDGERBAL>"
        + leaf("BALAMT", "1234.56")
        + leaf("DTASOF", "20240301")
        + "</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    if not xml:
        document = document.replace("</DTSERVER>", "").replace("</LANGUAGE>", "")
    return ((XML_HEADER if xml else SGML_HEADER) + document).encode("utf-8" if xml else "cp1252")


def _random_transactions(count: int, seed: int) -> list[tuple[date, int, str]]:
    generator = random.Random(seed)
    names = ["Corner Shop", "AT&amp;T Wireless", "Caf\u00e9 Zo\u00eb", "SQ *BLUE BOTTLE", "Payroll"]
    return [
        (
            date(2024, 1, 1 + generator.randrange(28)),
            generator.randrange(-500_000, 500_000),
            generator.choice(names),
        )
        for _ in range(count)
    ]


def _ofxtools_reference(data: bytes) -> list[tuple[int, str, str]]:
    """(amount in cents, FITID, NAME) per transaction, as ofxtools reads them."""
    tree = OFXTree()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its notes on bank extension tags and long names
        tree.parse(io.BytesIO(data))
        statement = tree.convert().statements[0]
    return [
        (int(Decimal(transaction.trnamt) * 100), transaction.fitid, transaction.name)
        for transaction in statement.transactions
    ]


@pytest.mark.parametrize("xml", [True, False], ids=["xml", "sgml"])
def test_agrees_with_ofxtools_across_chunk_boundaries(xml: bool) -> None:
    """Over 1 MB, so the stream crosses chunk boundaries mid-transaction; read from a file
    object as the CLI does and from bytes as the API does."""
    data = make_ofx(_random_transactions(8000, seed=8), xml=xml)
    assert len(data) > 1024 * 1024
    reference = _ofxtools_reference(data)
    streamed = list(open_file(io.BytesIO(data)).rows())
    from_bytes = parse_file(data).rows
    assert streamed == from_bytes
    got = [(row.amount_minor, row.external_id, row.payee_original) for row in streamed]
    assert got == reference
    assert [row.line for row in streamed] == list(range(1, 8001))


@pytest.mark.parametrize(
    "name",
    [
        "actual/1252.qfx",
        "beangulp/ofxdownload.ofx",
        "ofxparse/anzcc.ofx",
        "ofxparse/bank_medium.ofx",
        "ofxparse/suncorp.ofx",
        "ofxtools/stmtrs.ofx",
        "ofxtools/stmtrs_euro.ofx",
    ],
)
def test_agrees_with_ofxtools_on_fixtures_it_reads(name: str) -> None:
    data = bank_export(name)
    reference = [(amount, fitid) for amount, fitid, _ in _ofxtools_reference(data)]
    assert [(row.amount_minor, row.external_id) for row in parse_file(data).rows] == reference


def test_statement_metadata() -> None:
    result = parse_file(make_ofx(_random_transactions(3, seed=1), xml=True))
    statement = result.statement
    assert (statement.currency, statement.account_id, statement.bank_id) == (
        "USD",
        "999988",
        "121099999",
    )
    assert (statement.start_on, statement.end_on) == (date(2024, 1, 1), date(2024, 3, 1))
    assert (statement.balance_minor, statement.balance_on) == (123456, date(2024, 3, 1))


def test_currency_exponent_comes_from_the_file() -> None:
    data = make_ofx([(date(2024, 1, 2), -1250, "Sushi")], xml=True, currency="JPY")
    result = parse_file(data, currency_exponent=2)
    # TRNAMT -12.50 in yen: 12.5 rounds half to even to 12 yen.
    assert (result.statement.currency, result.rows[0].amount_minor) == ("JPY", -12)


def test_entities_decoded_once_and_raw_ampersands_kept() -> None:
    data = make_ofx(
        [(date(2024, 1, 2), -100, "AT&amp;T"), (date(2024, 1, 3), -100, "A&B")], xml=False
    )
    assert [row.payee_original for row in parse_file(data).rows] == ["AT&T", "A&B"]


def test_transaction_without_amount_is_a_row_error() -> None:
    data = make_ofx([(date(2024, 1, 2), -100, "Shop")], xml=True).replace(
        b"<TRNAMT>-1.00</TRNAMT>", b""
    )
    row = parse_file(data).rows[0]
    assert (row.status, row.error) == ("error", "OFX record 1: no TRNAMT")


def test_two_accounts_in_one_file_are_refused() -> None:
    one = make_ofx([(date(2024, 1, 2), -100, "Shop")], xml=True).decode()
    start, end = one.index("<STMTTRNRS>"), one.index("</STMTTRNRS>") + len("</STMTTRNRS>")
    second = one[start:end].replace("999988", "555555")
    data = (one[:end] + second + one[end:]).encode()
    with pytest.raises(ImportFileError, match="more than one account"):
        parse_file(data)


def test_investment_statement_is_refused() -> None:
    data = (XML_HEADER + "<OFX>" + SIGNON + "<INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS>"
            "</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>").encode()  # fmt: skip
    with pytest.raises(ImportFileError, match="Investment statements are not supported"):
        parse_file(data)


def test_ofx_without_statement_is_refused() -> None:
    with pytest.raises(ImportFileError, match="no bank or credit card statement"):
        parse_file((XML_HEADER + "<OFX>" + SIGNON + "</OFX>").encode())


def test_invalid_header_names_ofxtools_complaint() -> None:
    data = make_ofx([(date(2024, 1, 2), -100, "Shop")], xml=False).replace(
        b"VERSION:102", b"VERSION:ABC"
    )
    with pytest.raises(ImportFileError, match="The OFX header is invalid"):
        parse_file(data)


def test_qfx_is_told_by_intuit_elements() -> None:
    plain = make_ofx([(date(2024, 1, 2), -100, "Shop")], xml=True)
    quicken = plain.replace(
        b"<LANGUAGE>ENG</LANGUAGE>", b"<LANGUAGE>ENG</LANGUAGE><INTU.BID>3000</INTU.BID>"
    )
    assert (parse_file(plain).format, parse_file(quicken).format) == ("ofx", "qfx")


@pytest.mark.parametrize("xml", [True, False], ids=["xml", "sgml"])
def test_any_chunking_of_the_text_gives_the_same_rows(xml: bool) -> None:
    """Tags, CDATA-free values and <STMTTRN> itself cut at random points between chunks."""
    from family_budget.imports.parsing.limits import ParseLimits
    from family_budget.imports.parsing.ofx import _OfxReader

    text = make_ofx(_random_transactions(300, seed=5), xml=xml).decode("cp1252")
    whole = list(_OfxReader(ParseLimits(), 2).rows(iter([text])))
    generator = random.Random(11)
    cuts = sorted(generator.sample(range(1, len(text)), 2000))
    chunks = [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert list(_OfxReader(ParseLimits(), 2).rows(iter(chunks))) == whole
    assert len(whole) == 300
