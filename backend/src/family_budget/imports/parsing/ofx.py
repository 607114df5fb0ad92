"""OFX 1.x (SGML, unclosed elements), OFX 2.x (XML) and QFX, streamed.

ofxtools validates the header (OFX version, charset, security) — what it does well. The body is
read by one small tokenizer, not by ofxtools' or ofxparse's tree builders, for three reasons
measured in backend/bench/parse_bench.py and the parse branch's report:
- speed and memory: both libraries build a whole tree (ofxtools an ElementTree plus model objects,
  ofxparse a BeautifulSoup DOM), far slower than 300,000 transactions/s and hundreds of MB for a
  big file; the tokenizer cuts the text at each STMTTRN and reads a transaction's elements with
  one regular-expression pass, holding one chunk of text at a time;
- real files: ofxtools refuses 4 of the 13 fixture OFX files (a missing LEDGERBAL, a 10-digit
  BANKID, empty elements, a CHARSET of "8859-1"), ofxparse crashes on empty elements; the
  tokenizer reads SGML and XML alike, closed or unclosed;
- safety: nothing here expands entities or reads DTDs; a DOCTYPE or ENTITY declaration (an
  entity bomb, an external entity) is refused outright, and nesting depth, elements per
  transaction and value lengths are bounded.
The tests check the tokenizer against ofxtools' full parse on every fixture ofxtools reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from itertools import chain, islice

from family_budget.imports.parsing import quirks
from family_budget.imports.parsing.amounts import AmountError, parse_amount
from family_budget.imports.parsing.dates import ofx_date
from family_budget.imports.parsing.limits import ParseLimits
from family_budget.imports.parsing.results import (
    FileFormat,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    StatementInfo,
    new_row,
)
from family_budget.imports.parsing.text import Source, choose_encoding, decode_chunks
from family_budget.imports.payees import clean_payee
from family_budget.money import CURRENCY_EXPONENTS

# TRNAMT as most banks write it: up to 13 digits (within MAX_AMOUNT_MINOR) and two decimals.
_PLAIN_CENTS = re.compile(r"\s*(-?)(\d{1,13})\.(\d\d)\s*")
_LETTER = re.compile(r"[^\W\d_]")
_ELEMENT = re.compile(r"<([A-Za-z0-9._]+)>([^<]*)")
_TOKEN = re.compile(r"<(/?)([A-Za-z0-9._]+)\s*>([^<]*)")
_XML_ENCODING = re.compile(r"""<\?xml[^>]*encoding\s*=\s*["']([\w.-]+)["']""")
_STATEMENTS = {"STMTRS": None, "CCSTMTRS": "CREDITCARD"}
_OPEN_TRANSACTION = "<STMTTRN>"


def read_header(sample: bytes) -> tuple[str, bool]:
    """(encoding, is_v2) from the OFX header, validated by ofxtools; a bad header fails."""
    # Imported here: importing ofxtools loads all its models (0.9 s), which only OFX files need.
    from ofxtools.header import OFXHeaderError, OFXHeaderV1, OFXHeaderV2

    head = sample[:4096].decode("ascii", errors="replace").lstrip()
    if head.startswith("<?xml") or head.startswith("<?OFX"):
        match = OFXHeaderV2.regex.search(head)
        if match is None:
            raise ImportFileError("The OFX 2 file has no valid <?OFX ...?> header", line=1)
        try:
            OFXHeaderV2.parse(head[match.start() :])
        except OFXHeaderError as error:
            raise ImportFileError(f"The OFX header is invalid: {error}", line=1) from error
        declared = _XML_ENCODING.match(head)
        encoding = declared.group(1) if declared else "utf-8"
        return choose_encoding(sample, _python_codec(encoding)), True
    if head.startswith("OFXHEADER"):
        header_text = quirks.normalize_ofx_v1_header(head.split("<", 1)[0])
        try:
            header, _ = OFXHeaderV1.parse(header_text)
        except OFXHeaderError as error:
            raise ImportFileError(f"The OFX header is invalid: {error}", line=1) from error
        return choose_encoding(sample, getattr(header, "codec", "utf-8")), False
    # No header at all (a bare <OFX> body): still OFX, read with the detected encoding.
    return choose_encoding(sample), False


def _python_codec(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def open_ofx(source: Source, default_exponent: int) -> ParsedFile:
    sample = source.sample()
    encoding, _ = read_header(sample)
    reader = _OfxReader(source.limits, default_exponent)
    rows = reader.rows(decode_chunks(source.chunks(), encoding))
    first = next(rows, None)  # reads the signon and statement header before the first row
    file_format: FileFormat = "qfx" if reader.intuit else "ofx"
    if first is None and not reader.statements_seen:
        raise ImportFileError("The OFX file has no bank or credit card statement")
    return ParsedFile(
        format=file_format,
        encoding=encoding,
        statement=reader.statement,
        _rows=chain([first], rows) if first is not None else iter(()),
        warnings=reader.warnings,
    )


class _OfxReader:
    """The tokenizer's state: open aggregates, the statement's metadata, the row count."""

    def __init__(self, limits: ParseLimits, default_exponent: int) -> None:
        self.limits = limits
        self.exponent = default_exponent
        self.statement = StatementInfo()
        self.stack: list[str] = []
        self.statements_seen = 0
        self.intuit = False
        self.record = 0
        self.warnings: list[str] = []
        self.dates: dict[str, date | None] = {}

    def rows(self, texts: Iterator[str]) -> Iterator[ParsedRow]:
        """The text is cut at every <STMTTRN>: each piece but the last is one transaction and
        the structure after it. The last piece may continue in the next chunk, so it waits;
        only it is bounded in length, which bounds the memory a hostile file can take."""
        pending = ""  # the text after the last <STMTTRN> seen, or before the first
        max_pending = self.limits.max_line_chars * 4
        in_transaction = False
        for text in texts:
            pieces = (pending + text).split(_OPEN_TRANSACTION)
            pending = pieces.pop()
            if pieces:
                first = pieces[0]
                if in_transaction:
                    yield self._transaction_and_structure(first)
                else:
                    self._structure(first)
                for piece in islice(pieces, 1, None):
                    yield self._transaction_and_structure(piece)
                in_transaction = True
            if not in_transaction:
                # Structure up to the last complete tag; the rest may continue next chunk.
                cut = pending.rfind("<")
                if cut > 0:
                    self._structure(pending[:cut])
                    pending = pending[cut:]
            if len(pending) > max_pending:
                if in_transaction and "</STMTTRN>" in pending:
                    # A complete last transaction followed by a long tail of structure.
                    yield self._transaction_and_structure(pending)
                    in_transaction, pending = False, ""
                    continue
                raise self._too_long()
        if in_transaction:
            yield self._transaction_and_structure(pending)
        else:
            self._structure(pending)
        if self.statements_seen == 0:
            raise ImportFileError("The OFX file has no bank or credit card statement")

    def _too_long(self, record: int | None = None) -> ImportFileError:
        """The record being read (by default the next one) is longer than the limit."""
        record = self.record + 1 if record is None else record
        limit = self.limits.max_line_chars * 4
        return ImportFileError(
            f"OFX record {record}: an element or transaction is longer than {limit} characters",
            line=record,
            limit="max_line_chars",
        )

    def _transaction_and_structure(self, piece: str) -> ParsedRow:
        """One piece after a <STMTTRN>: the transaction up to its close tag (or up to the end
        of BANKTRANLIST, or the next transaction, when an SGML file never closes it), then
        structure."""
        end = piece.find("</STMTTRN>")
        if end < 0:
            end = piece.find("</BANKTRANLIST>")
            if end < 0:
                end = len(piece)
        row = self._transaction(piece[:end])
        self._structure(piece[end:])
        return row

    def _structure(self, text: str) -> None:
        if not text or (text.startswith("</STMTTRN>") and (len(text) == 10 or text[10:].isspace())):
            return  # between two transactions: nothing to read
        if "<!" in text:
            text = _refuse_declarations(text)
        stack = self.stack
        for slash, tag, raw in _TOKEN.findall(text):
            if len(raw) > self.limits.max_line_chars:
                raise self._too_long()
            tag = tag.upper()
            if slash:
                if tag in stack:
                    del stack[stack.index(tag) :]
                continue
            value = raw.strip()
            if value:
                self._element(tag, value)
                continue
            if tag in _STATEMENTS:
                self._open_statement(tag)
            elif tag == "INVSTMTRS":
                raise ImportFileError("Investment statements are not supported")
            stack.append(tag)
            if len(stack) > self.limits.max_ofx_depth:
                raise ImportFileError(
                    f"The OFX file nests aggregates deeper than {self.limits.max_ofx_depth}",
                    limit="max_ofx_depth",
                )

    def _open_statement(self, tag: str) -> None:
        self.statements_seen += 1
        if self.statements_seen == 1:
            self.statement.account_type = _STATEMENTS[tag]

    def _element(self, tag: str, value: str) -> None:
        if tag.startswith("INTU."):
            self.intuit = True
            return
        parent = self.stack[-1] if self.stack else ""
        statement = self.statement
        if tag == "ACCTID" and parent in ("BANKACCTFROM", "CCACCTFROM"):
            if self.statements_seen > 1 and value != statement.account_id:
                raise ImportFileError(
                    "The OFX file holds statements of more than one account "
                    f"({statement.account_id}, {value}); export one account per file"
                )
            statement.account_id = value
        elif self.statements_seen > 1:
            return  # a second statement of the same account: its rows count, not its header
        elif tag == "CURDEF":
            currency = value.upper()
            statement.currency = currency
            self.exponent = CURRENCY_EXPONENTS.get(currency, self.exponent)
        elif tag == "BANKID" and parent == "BANKACCTFROM":
            statement.bank_id = value
        elif tag == "ACCTTYPE" and parent == "BANKACCTFROM":
            statement.account_type = value.upper()
        elif tag == "DTSTART" and parent == "BANKTRANLIST":
            statement.start_on = ofx_date(value)
        elif tag == "DTEND" and parent == "BANKTRANLIST":
            statement.end_on = ofx_date(value)
        elif tag == "BALAMT" and parent == "LEDGERBAL":
            try:
                statement.balance_minor = parse_amount(value, self.exponent, _separator(value))
            except AmountError:
                self.warnings.append(f"The ledger balance '{value}' is not an amount")
        elif tag == "DTASOF" and parent == "LEDGERBAL":
            statement.balance_on = ofx_date(value)

    def _date(self, value: str) -> date | None:
        # A statement has a few hundred distinct DTPOSTED values over thousands of rows.
        try:
            return self.dates[value]
        except KeyError:
            parsed = self.dates[value] = ofx_date(value)
            return parsed

    def _transaction(self, text: str) -> ParsedRow:
        self.record += 1
        record = self.record
        if record > self.limits.max_rows:
            raise ImportFileError(
                f"The file has more than {self.limits.max_rows} transactions",
                line=record,
                limit="max_rows",
            )
        if len(text) > self.limits.max_line_chars * 4:
            raise self._too_long(record)
        if "<!" in text:
            text = _refuse_declarations(text)
        pairs = _ELEMENT.findall(text)
        if len(pairs) > self.limits.max_ofx_elements_per_transaction:
            raise ImportFileError(
                f"OFX record {record} has more than "
                f"{self.limits.max_ofx_elements_per_transaction} elements",
                line=record,
                limit="max_ofx_elements_per_transaction",
            )
        fields = dict(pairs)
        get = fields.get
        errors: list[str] = []
        posted_raw = _text(get("DTPOSTED")) or _text(get("DTUSER"))
        posted_on = self.dates.get(posted_raw) if posted_raw else None
        if posted_on is None and posted_raw:
            posted_on = self._date(posted_raw)
        if posted_on is None:
            errors.append(f"DTPOSTED '{posted_raw}' is not a date" if posted_raw else "no DTPOSTED")
        amount_minor: int | None = None
        amount_raw = get("TRNAMT")
        plain = _PLAIN_CENTS.fullmatch(amount_raw) if amount_raw and self.exponent == 2 else None
        if plain is not None:
            # "-12.34", the common case, without parse_amount's general path.
            amount_minor = int(plain[2] + plain[3])
            if plain[1]:
                amount_minor = -amount_minor
        else:
            amount_minor = self._amount(_text(amount_raw), errors)
        name = _text(get("NAME"))
        memo = _text(get("MEMO"))
        payee_original = _payee_text(name, memo)
        if payee_original == memo:
            memo = None  # the memo became the payee; keeping it twice says nothing more
        fitid = _text(get("FITID"))
        if errors:
            return ParsedRow(
                line=record,
                posted_on=posted_on,
                amount_minor=amount_minor,
                payee=clean_payee(payee_original),
                payee_original=payee_original,
                memo=memo,
                external_id=fitid,
                status="error",
                error=f"OFX record {record}: " + "; ".join(errors),
            )
        check_number = get("CHECKNUM")
        return new_row(
            record, posted_on, amount_minor, clean_payee(payee_original), payee_original, memo,
            fitid, _text(check_number) if check_number else None,
        )  # fmt: skip

    def _amount(self, amount_raw: str | None, errors: list[str]) -> int | None:
        if amount_raw is None:
            errors.append("no TRNAMT")
            return None
        try:
            return parse_amount(amount_raw, self.exponent, _separator(amount_raw))
        except AmountError as error:
            errors.append(f"TRNAMT {error}")
            return None


def _payee_text(name: str | None, memo: str | None) -> str:
    """NAME, unless it holds no letter (a reference such as "000000000000000" in html-vals.qfx)
    and MEMO does: then the memo names the payee."""
    if name and _LETTER.search(name):
        return name
    if memo and _LETTER.search(memo):
        return memo
    return name or memo or ""


def _separator(amount: str) -> str:
    # OFX allows a decimal comma (ofxtools' stmtrs_euro.ofx); it has no thousands separators.
    return "," if "," in amount and "." not in amount else "."


def _text(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if "&" in value:
        value = quirks.unescape_ofx_text(value)
    return value or None


_DECLARATION = re.compile(r"<!(?!\[CDATA\[|--)", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _refuse_declarations(text: str) -> str:
    """CDATA is inlined and comments dropped; any other `<!` (DOCTYPE, ENTITY, ELEMENT) is an
    entity bomb or external entity waiting to happen, and no bank sends one."""
    text = quirks.inline_cdata(_COMMENT.sub("", text))
    if _DECLARATION.search(text):
        raise ImportFileError(
            "The OFX file declares a DOCTYPE or entities; bank files never do, so it is refused"
        )
    return text
