"""Every message the user sees, in one place.

Command names, options and messages are English; data, labels of record fields and
report headings are Chinese, as the users write them.
"""

# -- field values --------------------------------------------------------------------------
DATE_EMPTY = "a date is required"
DATE_IMPOSSIBLE = "no such date '{value}' ({reason})"
DATE_OUT_OF_RANGE = "'{value}' is outside the calendar (years 1 to 9999)"
DATE_UNREADABLE = "cannot read '{value}' as a date (try 2025-07-17, 2025年7月17日, 2025/7/17, today, 7d)"
PERIOD_UNREADABLE = ("cannot read '{value}' as a date or period (try 2025-07-17, 2025-07, 2025Q3, 2025年第三季度, "
                     "2025年上半年, 今年, this-quarter, 7d)")
QUARTER_INVALID = "'{value}' names quarter {quarter}; a year has quarters 1 to 4 (2025Q3, 2025年第三季度)"
MONTH_EXPECTED = "'{value}' is not a month (try 2025-07, 2025年7月, this-month, 上月)"
PERIOD_YEAR = "{year}年"
PERIOD_QUARTER = "{year}年第{quarter}季度"
PERIOD_HALVES = ("{year}年上半年", "{year}年下半年")
PHONE_INVALID = ("'{value}' is not a mainland mobile (13812345678), a landline with area code (022-12345678, "
                 "022-12345678转8001) or a 400/800 number (400-800-1234)")
EMAIL_INVALID = "'{value}' is not an e-mail address"
URL_INVALID = "'{value}' is not an http(s) URL"
AMOUNT_INVALID = ("cannot read '{value}' as an amount (try 5000万元, 1.2亿元, 约2亿元, 1-2亿元, 五千万元, 5000万美元, "
                  "800000)")
AREA_INVALID = "cannot read '{value}' as an area (try 5000㎡, 5000平方米, 1.2万平方米, 50亩, 3公顷)"
PRICE_INVALID = ("cannot read '{value}' as a price (try 80万元/亩, 4500元/㎡, 25元/㎡/月, 1.2元/㎡/天, 面议)")
AMOUNT_NOT_WHOLE = "'{value}' is not a whole number of {unit}"
AMOUNT_TOO_BIG = "'{value}' is beyond the largest amount kept (1亿亿, 10^16)"
AMOUNT_RANGE_REVERSED = "'{value}': the range runs from {low} down to {high}; give the lower end first"
AMOUNT_CURRENCIES_DIFFER = "'{value}' names two currencies ({first}, {second}); amounts are kept in one"
AMOUNT_CURRENCY_CONFLICT = "the amount is in {found} but the currency given is {given}"
AMOUNT_HIGH_CONFLICT = "'{value}' differs from the upper end {high} the amount already gives"
AMOUNT_HIGH_BELOW = "'{value}' is below the amount {low}"
AMOUNT_APPROX_CONFLICT = "'{value}' says the amount is exact, but it reads '{amount}' (约/左右: approximate)"
AMOUNT_AT_LEAST_CONFLICT = "'{value}' says the amount is not a lower bound, but it reads '{amount}' (以上, 不低于)"
AMOUNT_PART_ALONE = "'{value}' belongs to an amount, and none is given"
CURRENCY_UNKNOWN = "'{value}' is not a currency kept (CNY/人民币, USD/美元, EUR/欧元, HKD/港元, JPY/日元, GBP/英镑)"
FLAG_INVALID = "'{value}' is neither true nor false"
ID_INVALID = "'{value}' is not a record ID ({examples})"
SOURCE_INVALID = ("'{value}' is not a source: a channel of at most {most} characters (展会, 电话, 推荐, 官网…), "
                  "a record ID (a12) or an http(s) URL")
CHOICE_INVALID = "'{value}' is not one of: {allowed}"
SUGGESTED_EMPTY = "is empty; give a short text, usually one of: {usual}"
SUGGESTED_TOO_LONG = "'{value}' is longer than {limit} characters; write it briefly, usually one of: {usual}"
TEXT_INVALID = "'{value}' is not text"
NOTES_INVALID = "notes must be text or a list of {{at, text}} entries, not {value!r}"
HISTORY_INVALID = "history must be a list of {{at, from, to}} entries with known statuses, not {value!r}"
FIELD_REQUIRED = "is required"
LEAD_NEEDS_CONTACT = "a lead needs a phone or an email"
KIND_HAS_NO_DATE = "{kinds} have no date of their own: --since, --until, --on and --month select by one"
NO_FOLLOW_UP = "{id}: {kind} have no follow-up date"
LEAD_STATUS_CLEARED = ("a lead always has a status and it cannot be cleared; "
                       "move it with 'zhaoshang lead status ID STATUS'")
EXPIRY_BEFORE_EFFECTIVE = "expiry {expiry} is before effective date {effective}"
REGION_EMPTY = "{field}: a region name is required"
REGION_UNKNOWN = "{field}: unknown region '{value}'{hint}"
REGION_SUGGEST = " (did you mean: {choices}?)"
REGION_AMBIGUOUS = ("{field}: '{value}' is ambiguous: {choices}; give its city or province ('天津 和平区'), "
                    "or for a whole batch --in 天津 (or once: zhaoshang config set region 天津)")
REGION_MORE_CHOICES = "; … ({count} in all)"
ZONE_UNKNOWN = "'{value}' is not a known development zone (zhaoshang regions lists a district's zones)"
ZONE_NOT_IN = "{zone} is not in {region}"
REGION_CODE_UNKNOWN = "unknown region code '{value}'"
REGION_NOT_IN = "{field}: {child} is not in {parent}{hint}"
REGION_LIST_HINT = " (for several regions, separate them with commas: '{example}')"
REGION_NOT_ONE = "{field}: '{value}' names {count} regions ({names}); {why}"
REGION_GIVE_ONE = "give one"
REGION_ONE_PER_RECORD = "a record has one region"
REGION_ONE_PER_REPORT = "a report covers one region (list and filter take several)"

FIELD_HELP = {
    "title": "Title.",
    "region": ("Region: 天津, 武清, 武清区, 武清开发区 (a zone is kept beside its district), '天津 和平区' "
               "or a 6-digit code."),
    "date": "Date: 2025-07-17, 2025年7月17日, 2025/7/17, today, 3d…",
    "url": "Source URL (http/https).",
    "source": ("Where it came from: a site; for a lead a channel (展会, 电话, 推荐, 官网…), "
               "or the record ID or URL it came from."),
    "category": "Category / column.",
    "tags": "Tags, comma-separated.",
    "summary": "Short summary.",
    "body": "Body text (or use --body-file).",
    "issuer": "Issuing authority (发文机关).",
    "doc_no": "Document number (文号), e.g. 武清政办发〔2025〕5号.",
    "effective": "Date it takes effect.",
    "expiry": "Date it expires.",
    "company": "Company name.",
    "contact": "Contact person.",
    "owner": "The colleague who follows the lead up (负责人), e.g. 张三.",
    "signed_on": "The day the deal was signed (set by `lead status ID signed --on`); e.g. 2025-07-20.",
    "phone": "Mainland mobile, landline with area code (022-12345678转8001) or 400/800 number.",
    "email": "E-mail address.",
    "address": "The company's address (kept as written).",
    "industry": "Industry.",
    "amount": ("Planned investment: 5000万元, 1.2亿元, 约2亿元, 1-2亿元, 五千万, 5000万美元 "
               "(美元, 欧元, 港元, 日元, 英镑 kept as they are), 800000."),
    "need": "Need: usually {usual}; any other short text (up to {limit} characters) is kept as written.",
    "status": "new, contacted, visited, negotiating, signed or lost.",
    "need_area": "The area the lead needs: 5000㎡, 50亩, 1.2万平方米 (`match` looks for sites of about it).",
    "due": "Next follow-up date.",
    "notes": "A note (timestamped).",
}

# match (service/matching.py)
MATCH_LEAD_HELP = "The lead to find sites and policies for (l7)."
MATCH_SITE_HELP = "Find the open leads a site fits instead (s4)."
MATCH_TOLERANCE_HELP = "How far a site's area may be from the lead's need, as a share of it (0.3: 30%)."
MATCH_FORMAT_HELP = "table or json."
MATCH_ONE_OF = "name a lead (zhaoshang match l7) or a site (zhaoshang match --site s4), one of them"
MATCH_NOT_A_LEAD = "{id} is not a lead: match takes a lead, or --site and a site"
MATCH_NOT_A_SITE = "{id} is not a site (载体)"
MATCH_TYPE, MATCH_REGION, MATCH_AREA, MATCH_INDUSTRY, MATCH_PRICE = "类型", "区域", "面积", "行业", "价格"
MATCH_SCOPE, MATCH_IN_FORCE = "适用地区", "有效"
MATCH_SAME_CITY = "{region} (same city)"
MATCH_UNTIL = "until {day}"
MATCH_NO_EXPIRY = "no end date"
MATCH_SITES = "Sites that fit {id}"
MATCH_POLICIES = "Policies that apply to {id}"
MATCH_LEADS = "Leads that {id} fits"
MATCH_NONE = "none"
MATCH_SITE_COLUMNS = ("编号", "载体名称", "类型", "地区", "面积", "理由")
MATCH_POLICY_COLUMNS = ("编号", "标题", "地区", "发布日期", "理由")
MATCH_LEAD_COLUMNS = ("编号", "企业名称", "需求", "地区", "理由")

SITE_FIELD_HELP = {  # a site's (载体) own fields
    "name": "The site's name, e.g. 武清开发区标准厂房A栋.",
    "type": "Type: usually {usual}; any other short text (up to {limit} characters) is kept as written.",
    "area": "Area as quoted: 5000㎡, 5000平方米, 1.2万平方米, 50亩 (kept in ㎡ beside the words).",
    "price": "Price as quoted: 80万元/亩, 4500元/㎡, 25元/㎡/月, 1.2元/㎡/天, 面议 (kept per ㎡ beside the words).",
    "available": "The day it is available from.",
    "status": "可租, 可售, 已预订 or 已占用 (default 可租).",
    "industries": "Industries it suits, comma-separated (生物医药,智能制造).",
}

# -- kinds, ids, records -------------------------------------------------------------------
KIND_UNKNOWN = "unknown kind '{value}': use {kinds}"
OR = "or"
AND = "and"
KEY_URL = "url"
KEY_TITLE_DATE = "title and date"
KEY_LEAD = "phone/email and company"

# -- help built from the registered kinds (cli/common.kinds_text) ----------------------------
APP_HELP = "Records for investment-promotion (招商引资) teams: {kinds}."
ADD_KIND_HELP = "Add {kind} ({label}); prints its ID."
KIND_ARG_HELP = "{some} (singular works too)."
EXPORT_KIND_HELP = "{some}."
ID_HELP = "Record ID: {ids}."
RECORD_NOT_FOUND = "no record {id}"
RECORD_DUPLICATE = "already stored as {id} (same {key})"
RECORD_KEY_TAKEN = "{id} would have the same {key} as {other}; nothing was changed (edit or merge {other} instead)"
FIELD_NOT_FOR_KIND = "--{field} does not apply to a {kind}"
NOTHING_TO_EDIT = "nothing to change: give at least one --FIELD VALUE, or write the record with --editor"
MISSING_OPTION = "missing --{field} ({label})"
RM_NEEDS_YES = "refusing to delete without --yes when not at a terminal"
RM_CONFIRM = "Delete {count} record(s):"
RM_CONFIRM_LINE = "  {id}  {kind}  {title}"
RM_CONFIRM_ASK = "Delete?"
RM_ABORTED = "nothing deleted"
EDIT_YES_HELP = "Do not ask: at a terminal edit shows each change (old → new) and asks first."
EDIT_CONFIRM = "{id} ({kind}):"
EDIT_CHANGE = "  {label}: {old} → {new}"
EDIT_BODY_CHANGE = "  {label}: {old:,} → {new:,} 字"
EDIT_NOTE_ADDED = "  {label}: + {text}"
EDIT_NO_VALUE = "（空）"
EDIT_CONFIRM_ASK = "Save?"
EDIT_ABORTED = "nothing changed"
BODY_STDIN_HINT = "Type or paste the body, then press {keys} to finish."
BODY_STDIN_KEYS = "Ctrl-D on a new line"
BODY_STDIN_KEYS_WINDOWS = "Ctrl-Z and Enter on a new line"

# -- writing in an editor (--editor) ---------------------------------------------------------
EDITOR_HELP = "Write it in $VISUAL or $EDITOR: a template of the fields and the body; options given fill it in."
NOTE_EDITOR_HELP = "Write the note in $VISUAL or $EDITOR."
EDITOR_NEEDS_TERMINAL = "--editor needs a terminal (stdin is not one); give the fields as options instead"
EDITOR_NONE = "no editor found: set $EDITOR (e.g. export EDITOR=nano); none of {tried} is on PATH"
EDITOR_UNREADABLE = "${variable} is not a command line ('{value}': {reason})"
EDITOR_FAILED = "cannot start the editor {editor}: {reason}"
EDITOR_EXIT = "the editor {editor} exited with status {code}: nothing saved"
EDITOR_EMPTIED = "the file was emptied: nothing saved"
EDITOR_UNCHANGED = "the file was left unchanged: nothing saved"
EDITOR_NOTHING_CHANGED = "no field and no body was changed: nothing saved"
EDITOR_TEXT_KEPT = " (your text is kept in {path})"
EDITOR_ADD_HEADING = "A new {kind} ({label}): fill in the fields between the --- lines."
EDITOR_EDIT_HEADING = "{id}, {kind} ({label}): change the fields between the --- lines; an emptied field is cleared."
EDITOR_HOWTO = ("Save and close the editor to save; leave the file unchanged or empty it to cancel.",
                "Lines starting with # are left out. A field is 'name: value' (the name or the Chinese label).")
EDITOR_BODY_BELOW = "The body (正文) is everything below the second --- line, as written."
EDITOR_NO_BODY = "A {kind} has no body: nothing goes below the second --- line."
EDITOR_REQUIRED = ", required"
EDITOR_ERROR_MARK = "# error: "
EDITOR_NO_FENCE = "the fields must stand between two --- lines, as in the template"
EDITOR_NO_END = "the --- line that ends the fields is missing"
EDITOR_LINE_UNKNOWN = "not a field: write 'name: value' with a name of {allowed}"
EDITOR_FIELD_TWICE = "given twice"
EDITOR_BODY_NOT_FOR_KIND = "a {kind} has no body; write it in a field (note: …)"
EDITOR_NOTE_HEADING = "A note for {id} ({title}); write it below. Lines starting with # are left out."
NOTE_NEEDS_TEXT = "give the note as TEXT, or write it with --editor"
UPDATED = "updated {id}"
REMOVED = "deleted {ids}"
BODY_FILE_MISSING = "--body-file: cannot read '{path}': {reason}"
BODY_TWICE = "give the body with --body or --body-file, not both"
REVEAL_NOTE = "contact data (phones, e-mails, WeChat/QQ IDs) is masked; add --reveal to show it"
NO_RECORDS = "no records match"
FORMAT_UNKNOWN = "unknown format '{value}': use {allowed}"
FIELDS_UNKNOWN = "--fields: unknown field '{value}' for {kinds}: use {allowed}"
FIELDS_EMPTY = "--fields: name at least one field, e.g. id,title,date"
FIELDS_NOT_FOR = "--fields does not apply to --format {fmt}"
FIELDS_HELP = ("Only these fields, in this order, in every format: id,title,region,date "
               "(names or labels such as 标题; `title` is a lead's company).")
SORT_UNKNOWN = "cannot sort by '{value}': use {allowed}"
WHERE_SYNTAX = "--where: '{value}' is not FIELD=VALUE (e.g. industry=生物医药, or source= for records without one)"
WHERE_FIELD_UNKNOWN = "--where: no kind of record has a field '{field}'; use one of: {allowed}"
WHERE_NEEDS_OPTION = ("--where: {field} is compared by its own option (--region, --since/--until/--on, …); "
                      "--where {field}= selects the records without one")
FILTER_PERIOD_CONFLICT = "--on and --month cannot be combined with --since/--until or each other"

# -- store ---------------------------------------------------------------------------------
STORE_IS_DIR = "{path} is a directory, not a store file; give a file path with --db"
STORE_UNREADABLE = "cannot read {path}: permission denied"
STORE_NOT_JSON = ("{path} is not a valid zhaoshang store (not JSON: {reason}); it was left untouched. "
                  "Run 'zhaoshang doctor' or 'zhaoshang restore' to bring back a backup")
STORE_FOREIGN = ("{path} is not a zhaoshang store (another program's JSON?); it was left untouched. "
                 "Point --db at another file")
STORE_SCHEMA_DAMAGED = ("{path} is damaged: its schema number is {value!r}; it was left untouched. "
                        "Run 'zhaoshang restore' to bring back a backup")
STORE_TOO_NEW = ("{path} was written by a newer zhaoshang ({found}; this one reads up to schema {supported}); "
                 "upgrade zhaoshang-cli. The file was left untouched")
STORE_BODY_FOREIGN = ("{log} is not the body log this store wrote (another generation named by mistake?); "
                      "run 'zhaoshang doctor'")
STORE_BODY_MISSING = "the body log {log} is missing; run 'zhaoshang doctor'"
STORE_BODY_UNREADABLE = "a body in {log} cannot be read (damaged?); run 'zhaoshang doctor' or 'zhaoshang restore'"
SEGMENT_UNREADABLE = "the store cannot be read: {reason}; run 'zhaoshang doctor' or 'zhaoshang restore'"
DAMAGE_TABLE = "the table '{table}' is not an object"
DAMAGE_SEGMENT_KIND = "a segment entry says its records are {kind}, but it names {file}, a file of {owner}"
DAMAGE_SEGMENT_SEQ = "a segment entry says segment {seq}, but it names {file}, the file of segment {other}"
DAMAGE_KEY = "a record key that is not a record number"
DAMAGE_NOT_OBJECT = "not a record (not a JSON object)"
DAMAGE_FIELD = "{field} is {value}, not {expected}"
DAMAGE_NO_STATUS = "a lead without a status"
DAMAGE_NO_HISTORY = "a lead without a status history"
DAMAGE_COUNTERS = "the ID counters (_meta.next) are missing or damaged"
DAMAGE_LOG = "the body log generation (_meta.log) is {value}, not a number"
DAMAGE_BODIES_FORMAT = "the body format (_meta.bodies) is missing"
DAMAGE_SEGMENT_ENTRY = "a segment entry that is not one: {value}"
DAMAGE_SEGMENT_TWICE = "two entries for segment {seq} of {kind}"
REPAIR_SEGMENT_ENTRY = "dropped the segment entry {value}"
REPAIR_SEGMENT_ENTRY_MENDED = "the segment entry of {file}: {name} {old} → {new}, as the file's name says"
REPAIR_COUNTERS = "ID counters set past every stored ID: {counters}"
REPAIR_LOG = "body log generation set to {generation} (the newest log present)"
REPAIR_BODIES_FORMAT = "body format set to json"
REPAIR_TABLE = "dropped the table '{table}' (not an object)"
REPAIR_RECORD = "dropped {table}[{key!r}] = {value} (not a record)"
REPAIR_FIELD = "{id}: dropped {field} = {value}"
REPAIR_FIELD_KEPT = "{id}: {field} = {value} is not of its type: moved to its extra field {kept}"
REPAIR_STATUS = "{id}: status set to {status} (its last status move)"
REPAIR_HISTORY = "{id}: status history {value} replaced by one starting from its status {status}"
REPAIR_HISTORY_KEPT = "{id}: status history {value} cut to its {kept} valid move(s)"
IDS_EXHAUSTED = "no record numbers left for {kind} (the highest is 999999999)"
STORE_VALUE_UNSTORABLE = "a value cannot be stored ({reason}); nothing was saved"
INTERNAL_ERROR = "internal error ({kind}: {detail}); please report it (ZHAOSHANG_DEBUG=1 shows the traceback)"
PATH_IS_LINK = "{path} is a symbolic link; the store does not follow links inside its folder. Remove it"
PATH_NOT_DIR = "{path} is not a directory"
PATH_NOT_FILE = "{path} is not a regular file"
PATH_FOREIGN = "{path} belongs to another user (uid {uid}); the store refuses files it does not own"
PATH_WRITABLE_BY_OTHERS = "{path} is writable by other users (mode {mode}); make it private with 'chmod 700 {path}'"
CANNOT_WRITE = "cannot write {path}: {reason}"
CANNOT_READ = "cannot read {path}: {reason}"
HINT_DISK_FULL = "; nothing was saved: free some space and try again"
STORE_LOST = ("{path} {state}, but {backups} holds a backup with {count} record(s); run 'zhaoshang restore' "
              "to bring it back (or remove {side} to start a new store)")
STORE_LOST_DATA = ("{path} {state}, but the store's data is beside it ({found}); run 'zhaoshang doctor --fix' "
                   "to rebuild the store file from it (nothing is written before)")
LOST_SEGMENTS = "{count} segment file(s) in {folder}"
STORE_LINK_FOREIGN = ("{path} runs through {link}, a link owned by another user (uid {uid}); the store does not "
                      "follow it: point --db at a path of your own")
SIDE_NOT_OURS = ("{side} was not made by zhaoshang (it has no {marker} file), so the store {path} will not use "
                 "it: move it away, or point --db elsewhere")
STORE_STATE_MISSING = "does not exist"
STORE_STATE_EMPTY = "is empty"
STORE_DAMAGED = ("{path} is damaged: {where}: {problem}{more}; it was left untouched. "
                 "Run 'zhaoshang doctor' (--fix repairs it) or 'zhaoshang restore'")
STORE_DAMAGED_MORE = " (and {count} more problem(s))"
STORE_OWNED_BY_OTHER = "{path} belongs to another user (uid {uid}); point --db at your own store"
AFTER_COMMIT_FAILED = "the change was saved, but {what} failed ({reason}); 'zhaoshang doctor --fix' tidies up"
AFTER_COMMIT_DAMAGED = ("the change was saved, but {problem}: old backups, segment files and body logs it may need "
                        "were kept; run 'zhaoshang doctor'")
LOG_NOT_OURS = "{log} is not the body log this store wrote (its header names another)"
SEEN_MISSING = "{file} is missing"
SEEN_CHANGED = "{file} is not as it was written"
SEEN_LOG_SHORT = "{log} holds {size} bytes, the store refers to {end}"
STORE_COUNTER_BEHIND = ("the next ID for {kind} would be {id}, which is stored already: the store's ID counters "
                        "were set back; nothing was changed. Run 'zhaoshang doctor --fix'")
STORE_LOG_REFUSED = ("{problem}: the body log is missing, cut or not the store's; nothing was changed. "
                     "Run 'zhaoshang doctor'")
AFTER_COMMIT_PRUNING = "removing old backups, segment files and body logs"
PRUNE_BACKUPS_UNTRUSTED = "{folder} is not a private folder of this user, so what its backups name is unknown"
PRUNE_BACKUP_UNREADABLE = "the backup {backup} cannot be read, so what it names is unknown"
PRUNE_SEGMENT_CHANGED = "{file} is not as it was written"
BACKUP_FAILED = "no backup was kept of the previous version ({reason})"
LOCK_TIMEOUT_INVALID = ("--lock-timeout / ZHAOSHANG_LOCK_TIMEOUT: '{value:g}' is not a number of seconds "
                        "(a finite number, 0 or more)")
LOCK_TIMEOUT = ("another zhaoshang process holds the store lock {path} for more than {seconds:g}s; "
                "try again, or raise --lock-timeout / ZHAOSHANG_LOCK_TIMEOUT")

# -- config --------------------------------------------------------------------------------
CONFIG_HELP_REGION = ("The home region: names without a province or city (和平区, 滨海新区) are read inside it "
                      "when a command has no --in. E.g. 天津.")
CONFIG_KEY_UNKNOWN = "unknown setting '{key}': use {keys}"
CONFIG_HELP_MAP = ("Imports into this store read a column headed {header} as this field "
                   "(`config set map.HEADER FIELD`; '-' leaves the column out).")
MAP_FIELD_UNKNOWN = "{where}: unknown field '{value}' (a field name such as contact, owner, amount, or '-')"
MAP_INVALID = "--map '{value}': give HEADER=FIELD, e.g. --map '对接人=contact'"
CONFIG_DAMAGED = ("{path} is not a settings file (not a JSON object of texts): 'zhaoshang doctor --fix' sets it "
                  "aside and starts the settings afresh, or fix it by hand")
CONFIG_NOT_SET = "(not set)"
CONFIG_SOURCES = {"env": "from ${env}", "file": "from this store's settings", "personal": "from your own settings",
                  "login": "your login name", "locale": "your locale", "": ""}
CONFIG_HELP_USER = ("Who you are: every change you make is recorded under this name (yours alone: kept in your "
                    "own config folder, not in the store). Else $ZHAOSHANG_USER, else your login name.")
CONFIG_HELP_LANGUAGE = ("The language zhaoshang speaks to you: zh or en (yours alone). Else $ZHAOSHANG_LANG, "
                        "else your locale (LANG=zh_CN.UTF-8: Chinese).")
CONFIG_LANGUAGE_UNKNOWN = "{where}: unknown language '{value}': use {allowed}"
PERSONAL_CONFIG_UNREADABLE = "cannot read your settings {path}: {reason}; fix or remove the file"
PERSONAL_CONFIG_UNWRITABLE = "cannot write your settings {path}: {reason}"
NOT_TEXTS = "not a JSON object of texts"
SIGNING_ONLY_WON = "--on and --amount say when and for how much a deal was signed: they go with {status} (signed)"
AGENDA_DAYS_HELP = "How many days ahead, besides today and what is overdue."
AGENDA_FORMAT_HELP = "table, json or ics (an iCalendar file for calendar programs: one entry per follow-up)."
AGENDA_NOTHING = "no follow-ups due up to {until}"
AGENDA_OVERDUE = "逾期（{count}）"
AGENDA_DAY_NAMES = {0: "今天", 1: "明天", 2: "后天"}
AGENDA_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
AGENDA_COLUMNS = (("编号", 8), ("企业名称", None), ("负责人", 8), ("状态", 6), ("电话", 17), ("下次跟进", 10))
AGENDA_CALENDAR = "招商线索跟进"
AGENDA_SUMMARY = "跟进 {title}（{id}）"
AGENDA_ID = "线索编号"
IMPORT_LOOKS_LIKE = ("{where}: the new lead {id} looks like {other} (same {how}): `zhaoshang lead merge {other} {id}` "
                     "folds it in")
IMPORT_MORE_LOOK_ALIKES = "…and {count} more new leads that look like stored ones: `zhaoshang lead dupes` lists them"
LINK_LABELS = {"phone": "电话", "email": "邮箱", "company": "企业名称"}
MERGE_USAGE = "name the lead to keep, then the leads to fold into it (lead merge l3 l7 l9)"
MERGE_KINDS = "{id} is not a lead like {keep}: only leads of one kind are merged"
MERGE_NOTE = "合并 {ids}"
MERGED = "{others} merged into {keep}: {filled} taken, {notes} note(s) and {moves} history entries kept"
MERGE_CONFIRM = "Merge {others} into {keep} and delete {others}?"
MERGE_ABORTED = "nothing merged"
DUPES_NONE = "no leads look alike"
DUPES_GROUP = "{count} leads, same {how}:"
DUPES_COLUMNS = ("编号", "负责人", "状态", "电话", "企业名称")
DATE_IN_FUTURE = "{id}: its {field} {date} is after today (kept as given; `edit {id} --{field} …` changes it)"
IMPORT_TOTALS_LEFT_OUT = "{count} total row(s) (合计, 小计) left out: they are sums, not records"
IMPORT_FUTURE_DATES = "{count} record(s) dated after today, e.g. {where}: {date} (kept as given)"
INTERRUPTED = "interrupted"
PROMPT_PHONE_OR_EMAIL = "{label} (phone; an e-mail will do: leave empty to give one)"
PROMPT_OPTIONAL = "{label} ({name}, Enter to leave it empty)"
FILTER_SIGNED_CONFLICT = "--signed-on is a whole period: give it alone, or --signed-since and --signed-until"
PERSON_EMPTY = "{where}: a name is required"
PERSON_INVALID = "{where}: '{value}' is not a person's name (one line, at most {most} characters)"
CONFIG_IS_NOT_SET = "{key} is not set"
CONFIG_SET = "{key} set to {value}"
CONFIG_UNSET = "{key} unset"
IN_HELP = ("The region this batch is in: names are read inside it first "
           "(default: the home region, see 'zhaoshang config').")

# -- regions command -----------------------------------------------------------------------
REGION_RESOLVES = "{query} → {path} ({code}, {level})"
REGION_LEVELS = {"nation": "国家级", "province": "省级", "city": "地级", "county": "县级"}
REGION_COLUMNS = ("代码", "名称", "级别", "下级")
ZONE_COLUMNS = ("开发区", "所在区县", "别名")
REGION_ZONE = "{zone} is a development zone in {district}"
REGION_ZONE_NOTE = "{zone}: {note}"
REGION_RENAMED = "{old} renamed {new} in {year}"
REGION_MERGED = "{old} merged into {new} in {year}"
REGION_NOW_IN = "{old} (until {year}) now lies in {new}"

# -- table headings (Chinese, as users write them) -----------------------------------------
COL_BACKUP = "备份"
COL_TAKEN = "时间 (UTC)"
COL_STATE = "状态"
BACKUP_OK = "ok"
COL_ID = "编号"
COL_KIND = "类型"
COL_TITLE_ANY = "标题/企业"
COL_REGION = "地区"
COL_DATE = "日期"
COL_OVERDUE = "逾期"

# -- reading files -------------------------------------------------------------------------
ENCODING_UNKNOWN = "unknown encoding '{value}' (try utf-8, gb18030, gbk)"
DECODE_FAILED = "{file}:{line}: cannot decode byte 0x{byte} as {encoding}; give the right one with --encoding"
INPUT_IS_DIR = "{file}: is a directory (import-page reads directories of pages)"
INPUT_UNREADABLE = "{file}: cannot read: {reason}"
STDIN_NEEDS_FORMAT = "reading stdin: give --format jsonl, json or csv"
JSONL_NOT_UTF8 = "{file}: from line {line} on it is not UTF-8; give its encoding with --encoding (e.g. gb18030)"
ROW_NOT_JSON = "not valid JSON ({reason})"
ROW_NOT_OBJECT = "a record must be a JSON object"
JSON_TOP_LEVEL = "JSON input must be an array of records or an object of arrays keyed by kind"
CSV_TOO_MANY_CELLS = "{count} cells but the header has {expected} columns"
CSV_CELL_TOO_LONG = "{column}: cell longer than {limit:,} characters ({size:,}); not a CSV file, or a missing quote?"
CSV_UNREADABLE = "cannot read this CSV row ({reason})"
XLSX_NEEDS_EXTRA = ("reading or writing .xlsx files needs openpyxl and python-calamine, which zhaoshang installs: "
                    "pip install --force-reinstall zhaoshang-cli")
EXCEL_NEEDS_CSV = "--excel shapes CSV for Excel (UTF-8 with BOM, CRLF): use it with --format csv, not {fmt}"
XLS_UNSUPPORTED = ("{file}: an old binary Excel file (.xls) cannot be read; open it in Excel or WPS and save it "
                   "as .xlsx or CSV")
XLSX_NOT_ZIP = "{file}: not an .xlsx workbook (an .xlsx file is a ZIP archive); check the file or --format"
XLSX_UNREADABLE = "{file}: cannot read this workbook ({reason})"
XLSX_NO_SHEET = "{file}: the workbook has no worksheet"
XLSX_NO_RECORDS = ("{file}: no records in sheet '{sheet}' (a header and rows below it); its sheets: {sheets} "
                   "(--sheet picks one)")
XLSX_SHEET_ROWS = "{number} {sheet} ({rows} rows)"
XLSX_SHEET_UNKNOWN = "{file}: no sheet '{sheet}'; its sheets are {sheets} (--sheet takes a name or a number)"
XLSX_TOO_FAR = ("{file}:{sheet}: the sheet reaches cell {cell} ({rows:,} rows × {columns:,} columns), too far to "
                "read; delete what lies beyond the data (Ctrl+End finds it) or save the sheet as CSV")
XLSX_COLUMN_BY_LETTER = "列{letter}"
SHEET_NEEDS_XLSX = "--sheet picks a sheet of an .xlsx workbook, and {file} is read as {format}"
JSON_REST_UNREAD = "; nothing after it in this file was read"
NESTED_TOO_DEEP = "nested more than {limit} levels deep"
NUMBER_TOO_BIG = "the number {value} cannot be kept exactly (whole numbers must lie within ±9223372036854775807)"
NUMBER_NOT_FINITE = "{value} is not a number that can be stored (NaN and infinity are refused)"

# -- import / export -----------------------------------------------------------------------
IMPORT_READER_ENDED = ("import stopped: its second process, which reads and checks the rows, ended ({how}); "
                       "nothing was saved")
IMPORT_READER_SIGNAL = "killed by signal {signal}"
IMPORT_READER_EXIT = "exit status {status}"
IMPORT_REFUSED = "nothing imported: {count} problem(s) above; fix them, or use --skip-invalid to import the valid rows"
TIMESTAMP_INVALID = "'{value}' is not an ISO timestamp (2025-07-17T09:30:00+08:00)"
EXTRA_COLUMNS = "unknown column(s) {columns} (use --extra keep or --extra ignore)"
UNKNOWN_COLUMNS_KEPT = "{file}: unknown column(s) kept under 'extra': {columns}"
UNKNOWN_COLUMNS_IGNORED = "{file}: unknown column(s) ignored: {columns}"
IMPORT_SUMMARY = "{verb}: {added} added, {updated} updated, {unchanged} unchanged, {invalid} invalid"
IMPORT_VERB = "imported"
IMPORT_VERB_DRY = "dry run, nothing written"
# an update import that would move a record back, or out of a closed status (issue 21)
IMPORT_STATUS_KEPT = "{where}: {id} is {stored}; the row says {given}: kept (--allow-status-regression moves it)"
IMPORT_STATUS_MOVED_BACK = "{where}: {id} moved back from {stored} to {given} (--allow-status-regression)"
IMPORT_SUMMARY_KEPT = "; {count} status regression(s) kept at the stored status"
IMPORT_SUMMARY_MOVED_BACK = "; {count} status regression(s) made"
IMPORT_SUMMARY_DIFFER = "; {count} differ"
IMPORT_DIFFER = ("{count} row(s) differ from their stored record ({ids}) and were skipped: "
                 "--on-conflict update applies them")
IMPORT_NOT_KNOWN_YET = ("{count} row(s) with an amount not known yet (面议, 待定…): no amount, the words kept "
                        "under {label} ({where})")
IMPORT_MORE_PHONES = ("{count} row(s) with more than one phone number: the first is the phone, the others kept "
                      "under {label} ({where})")
IMPORT_MAPPING = "{file}: columns read as:"
IMPORT_MAPPING_LINE = "  {column} → {field}"
IMPORT_MAPPING_UNIT = "  {column} → {field} (bare numbers in {unit})"
IMPORT_MAPPING_EXTRA = "extra"
IMPORT_MAPPING_LEFT_OUT = "(left out)"
IMPORT_MASKED_LISTING = ("{file}: its contacts are masked ({value}), as `list` and `show` print them: nothing "
                         "imported; import what `zhaoshang export` writes (or `list --reveal`)")
REJECTS_WRITTEN = "{count} refused row(s) written to {path} with a 错误 column: fix them there and import it"
REJECTS_NONE = "no row refused: {path} not written"
REJECTS_NEEDS_SKIP = "--rejects writes the rows --skip-invalid leaves out: give both"
REJECTS_IS_INPUT = "--rejects {path} is one of the files being imported: name another file"
REJECTS_DRY_RUN = "dry run: the refused rows are not written to {path}"
REJECTS_UNWRITABLE = "cannot write the refused rows to {path}: {reason}"
REJECTS_NO_FOLDER = "cannot write the refused rows to {path}: its folder does not exist"
REJECTS_ENCODING = ("cannot write the refused rows to {path} in {encoding}: '{char}' has no form there "
                    "(try --rejects FILE.xlsx)")
HISTORY_BY_IMPORT = "导入 {file}"  # a history move an import made, in `show`
HISTORY_SIGNED = "签约日 {on}"
HISTORY_MERGED = "原 {id}"
HISTORY_BY = "（{by}）"  # who made a move or a note, in `show`

# -- the change log (`log`, `undo`) -----------------------------------------------------------
CHANGE_COLUMNS = ("时间", "操作人", "记录", "变更")
CHANGE_FIELD_LABELS = {"region": "地区", "zone": "开发区", "history": "状态记录", "notes": "备注", "extra": "扩展字段"}
CHANGE_NOTHING = "（无）"
CHANGE_BODY = "正文"
CHANGE_CREATED = "创建 · {title}"
CHANGE_EDITED = "修改 {fields}"
CHANGE_MOVED = "状态 {old} → {new}"
CHANGE_NOTED = "备注 · {note}"
CHANGE_ASSIGNED = "负责人 {old} → {new}"
CHANGE_DELETED = "删除 · {title}"
CHANGE_IMPORTED = "导入 {file}：新增 {added} 条，更新 {updated} 条（批次 {batch}）"
CHANGE_IMPORTED_ONE = "导入 {file} 更新 {fields}"
CHANGE_UNDONE = "撤销导入 {batch}（{file}）：删除 {removed} 条，还原 {restored} 条"
CHANGE_UNDONE_ONE = "撤销导入 {batch}"
CHANGE_MERGED = "并入 {into} · {title}"
CHANGE_MERGED_IN = "合并 {others} · {fields}"
CHANGE_RESTORED = "恢复备份 {backup}"
LOG_NONE = "no changes logged{which}"
LOG_FORMAT_HELP = "table, json, jsonl or csv."
LOG_SINCE_HELP = "Changes from this date or time on (2025-07-01, 7d, 上周…)."
LOG_BY_HELP = "Changes this person made; repeatable."
LOG_BATCH_HELP = "The changes of one import (its batch, as `log` shows it)."
DOCTOR_CHANGES_OK = "change log: {count} entries"
DOCTOR_CHANGES_SHORT = ("the change log {log} holds {size} bytes where the store recorded {end}: the entries past "
                        "its end are lost (the records are not); the next write goes on from there")
DOCTOR_CHANGES_BAD = "{count} line(s) of the change log {log} are not entries: `log` passes over them"
UNDO_NO_IMPORT = "no import to undo: the change log names none that is not undone yet"
UNDO_NOTHING = "no import '{batch}' in the change log (`zhaoshang log` lists them with their batch)"
UNDO_ALREADY = "the import '{batch}' is undone already"
UNDO_CHANGED_SINCE = ("{count} record(s) the import '{batch}' made or changed were changed since ({ids}): undoing "
                      "it would take those changes back too; --force undoes it anyway")
UNDO_CONFIRM = "Undo the import {batch} ({file}, {at} by {by}): remove {added} record(s), restore {updated}?"
UNDO_ABORTED = "nothing undone"
UNDO_DONE = "undone: import {batch} ({file}): {removed} record(s) removed, {restored} restored"
UNDO_GONE = "{count} record(s) it made were deleted since: {ids}"

HISTORY_ASSIGNED = "负责人 → {owner}"  # an assignment, in `show`
HISTORY_UNASSIGNED = "负责人 → （无）"
NO_OWNER = "{id}: {kind} have no owner"
ASSIGNED = "{id}: owner {old} → {new}"
ASSIGNED_SAME = "{id}: owner is already {owner}"
NOBODY = "(nobody)"
ASSIGN_USAGE = "give an owner (lead assign l7 张三) or --clear"
HISTORY_BY_IMPORT_UNNAMED = "导入"  # one made before imports named their file
CHOICE_OPTION = "--{option} must be one of: {allowed}"
EXPORT_PERSONAL_DATA = ("note: {path} holds personal data (names, phones, e-mails of {kinds}); "
                        "store and share it accordingly")
EXPORT_WRITTEN = "exported {count} record(s) to {path}"
CSV_EXPORT_CELL_TOO_LONG = ("{id}: {field} has {size:,} characters, more than `import` reads from a CSV cell "
                            "({limit:,}); export as jsonl instead")
XLSX_CELL_TOO_LONG = ("{id}: {field} has {size:,} characters, more than an Excel cell holds ({limit:,}); "
                      "export as jsonl or csv instead")
XLSX_CHARACTER = ("{id}: {field} holds U+{code:04X}, a character an .xlsx file cannot hold; "
                  "export as jsonl or csv instead")
XLSX_TOO_MANY_ROWS = ("{count:,} records do not fit in an Excel sheet ({limit:,} rows); narrow the export "
                      "(--region, --since, --limit) or export as jsonl or csv")
OUTPUT_BINARY_TERMINAL = ("this format is a binary file, not text for a terminal: write it with -o FILE "
                          "(or redirect stdout to a file)")
OUTPUT_UNWRITABLE = "--output: cannot write '{path}': {reason}"
OUTPUT_NO_DIR = "--output: cannot write '{path}': no directory {directory}"
OUTPUT_IS_STORE = "--output: refusing to write '{path}': it is the store {store}; choose another file"
OUTPUT_IN_STORE = ("--output: refusing to write '{path}': it lies in the store's directory {side} (bodies, index, "
                   "backups); choose another file")
OUTPUT_NOT_A_FILE = "--output: refusing to write '{path}': it is {what}, not a regular file"
OUTPUT_FILE_TYPES = {"dir": "a directory", "fifo": "a FIFO (named pipe)", "chr": "a character device",
                     "blk": "a block device", "sock": "a socket", "other": "a special file"}
PAGE_SKIPPED = "{file}: skipped: {reason}"
PAGE_NO_TITLE = "no title line"
PAGE_NO_DATE = "no 发布日期 (publication date)"
PAGE_SUMMARY = "{pages} page(s) read, {skipped} skipped"
NO_PAGES = "{path}: no page files (*.txt, *.html) found"

# -- leads ---------------------------------------------------------------------------------
NOT_A_LEAD = "{id} is {kind}, not {kinds}: only {kinds} move through stages"  # kinds with "a"/"an": an article
STATUS_MOVED = "{id}: {old} → {new}"
STATUS_SAME = "{id} is already {status}; nothing changed"
NOTE_ADDED = "{id}: note added"
DUE_SET = "{id}: next follow-up {due}"
DUE_CLEARED = "{id}: follow-up date cleared"
NOTE_EMPTY = "a note needs some text"

# -- reports -------------------------------------------------------------------------------
REPORT_TITLE = "招商报告 · {region} · {period}"
REPORT_ALL_REGIONS = "全部地区"
REPORT_ALL_TIME = "全部时间"
REPORT_NO_ZONE = "（不在开发区）"
REPORT_OWN_LEVEL = "{name}（本级）"
REPORT_TOTAL = "合计"
REPORT_BY_LABELS = {"district": "地区", "zone": "开发区", "month": "月份", "kind": "类型", "status": "状态",
                    "owner": "负责人", "industry": "行业", "need": "需求", "source": "来源"}
REPORT_SECTION_GROUPS = {"district": "分地区统计", "zone": "分开发区统计", "month": "分月统计", "kind": "分类型统计",
                         "status": "线索状态统计", "owner": "负责人统计", "industry": "线索行业统计",
                         "need": "线索需求统计", "source": "分来源统计"}
REPORT_SECTION_BY = "按{label}统计"
REPORT_BY_HELP = "Rows: {groupings}."
REPORT_SECTION_FUNNEL = "线索漏斗"
REPORT_SECTION_TREND = "月度趋势"
REPORT_COL_SIGNED = "签约"
REPORT_COL_AMOUNT = "签约金额"
REPORT_COL_AMOUNT_IN = "{currency}签约额"
REPORT_SIGNED_BY_DAY = "注：线索按登记日期统计，签约数与签约金额按签约日期统计（金额为签约时记录的金额）。"
REPORT_RANGES_COUNTED_LOW = "注：{count} 条已签约线索的投资额为区间，签约金额按区间下限计。"
REPORT_CURRENCIES_APART = "注：签约金额按币种分列，未作汇率换算。"
REPORT_COL_STATUS = "阶段"
REPORT_COL_NOW = "当前"
REPORT_COL_REACHED = "累计到达"
REPORT_COL_SHARE = "占比"
REPORT_COL_MONTH = "月份"
REPORT_COL_BAR = "图示"
STATUS_LOST = "已流失"
REPORT_CONVERSION = "转化率（新线索→签约）：{rate}，共 {total} 条线索"
REPORT_WRITTEN = "report written to {path}"
DUE_USAGE = "give a DATE or --clear"
REPORT_OPENED = "report written to {path} and opened"
REPORT_NO_OPENER = ("report written to {path}; no program to open it was found "
                    "(set BROWSER to one, or open the file yourself)")
REPORT_OPEN_FAILED = "report written to {path}; opening it failed: {reason}"
REPORT_OPEN_FORMAT = "--open shows the HTML report in a browser; it cannot be used with --format {fmt}"

# -- HTML pages (report, list and show with --format html) ---------------------------------
HTML_FOOTER = "zhaoshang-cli {version} · 生成于 {time}"
HTML_REPORT_KICKER = "招商引资工作报告"
HTML_META_REGION = "地区"
HTML_META_PERIOD = "统计期间"
HTML_META_GENERATED = "生成时间"
HTML_PERIOD = "{since} 至 {until}"
HTML_SECTION = "{number}、{title}"
HTML_FIGURE = "图{number}　{title}"
HTML_CHART_GROUPS = "{section}：{kinds}数量"
HTML_CHART_FUNNEL = "线索漏斗：各阶段累计到达的线索数、占比和当前数"
HTML_CHART_TREND = {"month": "{kinds}逐月数量（各行按本行最大值缩放）",
                    "quarter": "{kinds}按季度合计（各行按本行最大值缩放；逐月数字见下表）",
                    "year": "{kinds}按年合计（各行按本行最大值缩放；逐月数字见下表）"}
HTML_LOST = "{label} {count} 条（{share}）"
HTML_FUNNEL_REACHED = " 条到达 · {share}"  # after the number, in the funnel
HTML_FUNNEL_NOW = "当前 {count} 条"
HTML_AXIS_MONTH = "{month}月"
HTML_AXIS_YEAR = "{year}年"
HTML_SECTION_NUMERALS = "一二三四五六七八九十"  # sections 1-10; later ones by their digits
HTML_KPI_CONVERSION = "转化率"
HTML_NO_RECORDS = "本期没有记录。"
HTML_SECTION_FOLLOW_UPS = "签约项目与逾期跟进"
HTML_SIGNED = "本期签约项目（{count} 个）"
HTML_SIGNED_NONE = "本期没有签约项目。"
HTML_OVERDUE = "逾期未跟进（截至 {today}，{count} 条）"
HTML_OVERDUE_NONE = "截至 {today}，没有逾期未跟进的线索。"
HTML_OVERDUE_DAYS = "逾期 {days} 天"
HTML_BASIS = "统计口径：按记录日期计（文章的发布日期、线索的登记日期）；签约金额按币种分列，不作汇率换算。"
HTML_LIST_TITLE = "{label}列表"
HTML_LIST_ALL = "记录列表"
HTML_LIST_COUNT = "共 {count} 条"
HTML_LIST_EMPTY = "没有符合条件的记录。"
HTML_RECORD_ORIGIN = "来源记录"
HTML_RECORD_TIMELINE = "跟进记录"
HTML_RECORD_BODY = "正文"
HTML_RECORD_CREATED = "创建"
HTML_RECORD_UPDATED = "更新"
TEXT_NOT_UTF8 = "is not valid UTF-8 text"

# -- doctor / restore ----------------------------------------------------------------------
DOCTOR_NO_STORE = "{path} does not exist yet (it is created by the first add or import)"
DOCTOR_EMPTY_STORE = "{path} is empty (it is filled by the first add or import)"
DOCTOR_RESTORE_HINT = "a good backup exists: run 'zhaoshang restore' to bring back {backup}"
DOCTOR_STORE_OK = "{path}: a valid store, schema {schema}: {counts}"
DOCTOR_DAMAGE = "{where}: {problem} (--fix mends it, keeping a value of the wrong type among its extra fields)"
DOCTOR_MORE_DAMAGE = "… and {count} more damaged place(s)"
DOCTOR_COUNTER = "the next ID for {kind} is {next} but {top} is stored: an ID could be issued twice (--fix mends it)"
DOCTOR_COUNTERS_FILE = "{path} does not record the highest IDs issued (--fix writes it)"
DOCTOR_MORE = "… and {count} more {kind} that would not pass validation today"
DOCTOR_LOG_MISSING = ("the body log {log} is missing: {count} bodies cannot be read (--fix brings back those a backup "
                      "holds; --fix --drop-unreadable drops the rest)")
DOCTOR_LOG_GENERATION = ("{log} {state}, but {other} holds every body the store refers to ({count}): --fix makes "
                         "the store read its bodies from {other}")
LOG_STATE_MISSING = "is missing"
LOG_STATE_WRONG = "does not hold the store's bodies"
DOCTOR_BODY_UNREADABLE = ("{id}: its body in {log} is cut short or garbled (--fix brings it back from a backup that "
                          "holds it; --fix --drop-unreadable drops it)")
DOCTOR_MORE_BODIES = "… and {count} more unreadable bodies"
DOCTOR_LOG_TAIL = "{log} ends with {size} bytes nothing refers to, left by an interrupted write (--fix cuts them off)"
DOCTOR_TEMP_FILES = "{count} temporary file(s) left by an interrupted write (--fix removes them)"
DOCTOR_LOG_GARBAGE = "the body log holds {size} MiB, {live} MiB of it in use (--fix drops edited and deleted bodies)"
DOCTOR_MODE = "{path} has mode {mode}; it holds personal data and should be 0600 (--fix sets it)"
DOCTOR_MIGRATIONS = "migrations applied: {names}"
DOCTOR_MIGRATIONS_PENDING = "migrations not applied yet: {names} (the next write applies them)"
DOCTOR_LEGACY = ("written with schema {old} (one document); it is read as it is and split into segments "
                 "(schema {new}) by the next write")
DOCTOR_SEGMENT_MISSING = ("segment {segment}: {file} is missing (--fix puts back another version of it if the "
                          "folder holds one; --fix --drop-unreadable drops it)")
DOCTOR_SEGMENT_UNREADABLE = ("segment {segment} cannot be read: {reason} (--fix puts back another version of it if "
                             "the folder holds one; --fix --drop-unreadable drops it)")
DOCTOR_SEGMENT_MISPLACED = ("segment {segment} holds records under keys that are no numbers of it: {keys} (--fix "
                            "moves each to its own number, or a new one)")
DOCTOR_SEGMENT_COUNT = "segment {segment} holds {count} records, the store file says {said} (--fix mends it)"
DOCTOR_INDEX_MISSING = "the index of segment {segment}, {file}, is missing (--fix writes it again from the records)"
DOCTOR_SEGMENT_INDEX = "the index of segment {segment} does not match its records (--fix rebuilds it)"
DOCTOR_DIGEST_MISSING = "segment {segment} has no text digest: --text reads its records one by one (--fix writes it)"
DOCTOR_TEXT_INDEX_MISSING = ("segment {segment} has no text index, which this store keeps: --text reads its whole "
                             "digest (--fix writes it)")
DOCTOR_TEXT_INDEX_CROWDED = ("the text index of segment {segment} is too full to rule much out: --text reads its "
                             "digest more often than it needs to (--fix builds it again)")
DOCTOR_DIGEST_WRONG = ("the text digest of segment {segment} does not match its records: --text may miss some "
                       "(--fix rewrites it)")
REPAIR_DIGEST = "wrote the text digest of segment {segment}"
DOCTOR_DUPLICATE = ("{id} has the same {key} as {other} (stored before such changes were refused): "
                    "merge them or edit one; copy leaves {id} out")
DOCTOR_MORE_DUPLICATES = "… and {count} more records with another record's natural key"
SEGMENT_INDEX_ROWS = "{file} holds {rows} records, the store file says its segment holds {count}"
FILE_MISSING = "the file is missing"
DOCTOR_ORPHANS = ("{count} segment file(s) no version of the store names (left by an interrupted write, or kept "
                  "while the store looked damaged): the next write of a sound store removes them")
DOCTOR_BAD_BACKUP = "backup {name} is not usable: {problem}"
DOCTOR_BACKUPS_DIR = "no backups can be kept or read: {problem}"
DOCTOR_BACKUPS = "{count} good backup(s) kept (up to {keep})"
DOCTOR_NOTHING_TO_FIX = "{path} is empty: nothing to repair"
DOCTOR_FIXED = "fixed: {action}"
DOCTOR_NOT_FIXED = "not fixed: {what}"
DOCTOR_FIX_HELP = ("Mend what can be mended without losing anything: derived files written again, other "
                   "versions and backups searched, what cannot be read kept aside.")
DOCTOR_DROP_HELP = "With --fix: drop the references to what cannot be read anywhere (each loss is listed)."
DOCTOR_DROP_NEEDS_FIX = "--drop-unreadable goes with --fix"
DOCTOR_FOREIGN_KIND = ("{file} holds records of a kind this zhaoshang does not know ({kind}): kept as they are, "
                       "shown by none of its commands")
DOCTOR_REBUILD_HINT = ("the store's data is beside it ({found}): 'zhaoshang doctor --fix' rebuilds the store file "
                       "from it")
DOCTOR_PARENT_OPEN = ("{folder} is writable by other users and not sticky: anyone can move the store file away "
                      "(chmod 700 {folder}, or keep the store elsewhere)")
DOCTOR_NOTHING_TO_MEND = "nothing to mend: the store was left as it is"
DOCTOR_REWRITTEN = "store written again (the previous version is a backup)"
DOCTOR_SUMMARY = "{errors} error(s), {warnings} warning(s)"
REPAIR_COUNTER = "the next ID for {kind} set to {next}"
REPAIR_LOG_TAIL = "cut {size} unreferenced bytes off the end of {log}"
REPAIR_COMPACTED = "body log compacted: {before} KiB → {after} KiB"
REPAIR_TEMP_FILES = "removed {count} temporary file(s)"
REPAIR_SEGMENT_LOST = "dropped segment {seq} of {kind} ({count} records): {reason}"
REPAIR_SEGMENT = "rewrote a segment: {what}"
REPAIR_MODE_DIR = "{path}: made private (mode 0700)"
REPAIR_MODE = "{path}: mode set to 0600"
REPAIR_LINK = "removed the link {path}"
REPAIR_DIR = "removed the empty directory {path}"
REPAIR_BODY = "{id}: dropped its body (unreadable in {log}, where its bytes stay, at {ref})"
REPAIR_BODY_RECOVERED = "{id}: its body could not be read; put back the one backup {backup} holds"
REPAIR_BODY_WAITS = ("{id}: backup {backup} holds its body, but {log} is cut short or not the store's: it goes into a "
                     "new body log once no other body is left unread (--drop-unreadable)")
REPAIR_NEW_LOG = "wrote every body into a new body log, {log} ({after} KiB)"
REPAIR_BODY_KEPT = "{id}: its body in {log} cannot be read and no backup holds it (--drop-unreadable drops it)"
REPAIR_MORE_KEPT = "… and {count} more left as they are"
REPAIR_LOG_GENERATION = "the store reads its bodies from {other}, which holds all {count}, no more from {log}"
REPAIR_DERIVED = "wrote the index and text digest of segment {segment} again from its records"
REPAIR_REBUILT = "rebuilt {path} from the {count} segment file(s) in {folder}, the newest readable version of each"
REPAIR_SET_ASIDE = "kept {path} aside as {to}"
REPAIR_SEGMENT_VERSION = ("segment {segment} could not be read ({why}): put back {other} ({count} records, of "
                          "{when}), the newest readable version of it")
REPAIR_SEGMENT_KEPT = ("segment {segment} cannot be read ({why}) and no other version of it was found: left as it "
                       "is ({count} records, {ids}; --drop-unreadable drops it)")
REPAIR_SEGMENT_DROPPED = "dropped segment {segment}: {count} records, {ids} ({why}){kept}"
REPAIR_KEPT_AT = "; its file is kept as {path}"
REPAIR_SEGMENT_FOUND = ("put back segment {seq} of {kind} from {file} ({count} records): the store file named it no "
                        "more")
REPAIR_RECORD_ASIDE = "{table}[{key!r}] is not a record: kept aside as {to}"
REPAIR_MOVED = "{table}[{key!r}] was not under a number of its segment: stored as {id}"
REPAIR_LINK_COPIED = "{path} was a link to {target}: replaced by a copy of it"
REPAIR_SETTINGS = "the settings {path} could not be read: kept aside as {to}; the settings start afresh"
REPAIR_SCHEMA = "schema set to {schema}, the version of a store file that names segments"
REPAIR_UNRESOLVED = "the previous store file was damaged, or doctor --fix left something it could not read"
BACKUP_SEGMENTS_MISSING = "{count} of its segment files are gone"
BACKUP_SEGMENT_UNREADABLE = "damaged segment {reason}"
BACKUP_BODIES_UNREADABLE = "{count} bodies cannot be read from {log} (the first: {first})"
RESTORE_UNKNOWN = "no backup named '{name}'; 'zhaoshang restore --list' shows them"
RESTORE_INVALID = "backup {name} is not usable: {problem}"
RESTORE_NONE = "no backup in {path}"
RESTORE_NONE_INTACT = ("none of the {count} backups is intact (the newest: {problem}); nothing was changed. "
                       "'zhaoshang doctor --fix' mends what can be mended")
RESTORE_DONE = "restored {name} ({counts})"
RESTORE_CONFIRM = "Replace the store with {name} ({counts})?"
RESTORE_NEEDS_YES = "refusing to replace the store without --yes when not at a terminal"
BACKUP_LIST_EMPTY = "no backups yet in {path}"

# -- a team store on PostgreSQL (storage/postgres/) -----------------------------------------
PG_DRIVER_MISSING = ("a PostgreSQL store needs the psycopg driver: pip install 'zhaoshang-cli[postgres]' "
                     "(from a checkout: pip install -e '.[postgres]')")
PG_CONNECT_FAILED = "cannot connect to the PostgreSQL store {url}: {reason}"
PG_IS_SERVER_RUNNING = " (is the server running, and is this its host and port?)"
PG_URL_INVALID = "cannot read the store URL {url}: {reason} (the form is postgresql://USER@HOST[:PORT]/DBNAME)"
PG_PERMISSION = ("{url}: the database role {user} lacks the right for this ({reason}); nothing was changed. "
                 "Ask the store's owner for the writer role (docs/team-store.md)")
PG_KEY_TAKEN = ("another record with the same natural key is already stored ({reason}); nothing was saved. "
                "Use 'zhaoshang list' or 'zhaoshang show' to find it")
PG_LOCK_TIMEOUT = ("{url}: another change has held the records this one needs for more than {seconds:g}s; "
                   "nothing was saved. Try again, or raise --lock-timeout / ZHAOSHANG_LOCK_TIMEOUT")
PG_CONFLICT = ("this change collided with another one made at the same moment (the database stopped one of "
               "them); nothing was saved: run the command again")
PG_READ_ONLY = "{url} is read-only (a standby server?); nothing was saved"
PG_TABLES_GONE = "{url}: a table of the store is missing ({reason}); its owner runs 'zhaoshang db init'"
PG_CONNECTION_LOST = ("the connection to {url} was lost ({reason}); what was not committed was not saved: "
                      "try again when the server is back")
PG_REFUSED = "the PostgreSQL store {url} refused: {reason}"
PG_SCHEMA_DAMAGED = "the store's schema version (zs_meta) is {value!r}, not a number; it was left untouched"
PG_SCHEMA_TOO_NEW = ("{url} was set up by a newer zhaoshang ({found}; this one reads up to schema {supported}); "
                     "upgrade zhaoshang-cli. The database was left untouched")
PG_INIT_NOT_ALLOWED = ("{url}: this database role may not create or change the store's tables ({reason}); "
                       "the store's owner runs 'zhaoshang db init' once (docs/team-store.md)")
PG_INIT_CREATED = "created the store's tables (schema {schema})"
PG_INIT_MIGRATED = "applied the migration {name}: {what}"
PG_INIT_TRIGRAM = "pg_trgm is installed: 'zhaoshang db text-index on' keeps trigram indexes for text search"
PG_INIT_TABLE = "created table {table} for {kind}"
PG_INIT_TABLE_CHANGED = "added the new columns of {kind} to {table}"
PG_INIT_NOTHING = "the store is up to date (schema {schema}); nothing to do"
PG_NO_TRIGRAM = ("pg_trgm is not available ({reason}): text search works without an index, reading every row; "
                 "install PostgreSQL's contrib package and run 'zhaoshang db init' again")
PG_BACKUPS = ("{url} is kept by the PostgreSQL server: back it up with pg_dump and bring it back with "
              "pg_restore (docs/team-store.md)")
DB_INIT_NEEDS_URL = "'zhaoshang db init' sets up a PostgreSQL store: give --db postgresql://USER@HOST/DBNAME"
DB_INIT_DONE = "{url}: {action}"
DOCTOR_PG_OK = "{url}: a zhaoshang store, schema {schema}: {counts}"
DOCTOR_PG_EMPTY = "{url} has no zhaoshang tables yet (the first add or import, or 'zhaoshang db init', makes them)"
DOCTOR_PG_TABLE = "{kind}: no table yet (the first record of this kind makes it)"
DOCTOR_PG_LAYOUT = ("the table of {kind} lacks columns of its fields today (a field added since: the next write "
                    "adds them, or 'zhaoshang db init')")
DOCTOR_PG_COUNTER = ("the next ID for {kind} is {next} but {top} is stored: an ID could be issued twice "
                     "(--fix mends it)")
DOCTOR_PG_DERIVED = ("{count} record(s) of {kind} whose columns do not match their documents (first: {first}); "
                     "filters may miss them (--fix writes the columns again)")
DOCTOR_PG_NO_TRIGRAM = ("pg_trgm is not installed: --text reads every row "
                        "(install PostgreSQL's contrib set, then 'zhaoshang db init')")
DOCTOR_PG_TEXT_INDEX_ON = "text index on: trigram indexes serve --text in {indexed} of {tables} tables"
DOCTOR_PG_TEXT_INDEX_OFF = ("text index off ({indexed} of {tables} tables): --text reads every row; "
                            "'zhaoshang db text-index on' (the owner) makes it use trigram indexes")
DOCTOR_PG_CTYPE = ("the database's LC_CTYPE is {ctype}: trigram indexes skip Chinese characters, so --text reads "
                   "every row (create the database with LC_CTYPE 'C.UTF-8' or 'zh_CN.UTF-8')")
DOCTOR_PG_ROLE = "connected as {user}: may read: {read}, may write: {write}, may change the tables: {own}"
DOCTOR_PG_FIXED = "fixed: {action}"
REPAIR_PG_COUNTER = "the next ID for {kind} set to {next}"
REPAIR_PG_DERIVED = "wrote the columns of {count} record(s) of {kind} again from their documents"

# -- copy between stores (service/copy.py) ---------------------------------------------------
COPY_SAME_STORE = "--from and --to name the same store ({path}): nothing to copy"
COPY_SUMMARY = ("copied {source} → {target}: {added} added ({renumbered} under new IDs), {updated} updated, "
                "{unchanged} unchanged, {conflicts} with conflicts, {skipped} not copied, "
                "{kept} only in the target (kept)")
COPY_RENUMBERED = "{id} → {new}: the target's {id} is another record"
COPY_MERGED = "{ids}: took {fields} from the source (a change the target had not seen)"
COPY_CONFLICT = ("conflict {ids}: {fields} changed in both stores since each last took the other's; kept the "
                 "{kept}'s (--prefer {other} takes the {other}'s)")
COPY_DUPLICATE = "not copied: {id} has the same {key} as {other} in the source (merge or edit one of them)"
COPY_DUPLICATE_MATCHED = "not copied: {id} is the same record as {target} in the target, which {other} was copied into"
COPY_REISSUED = ("{id} → {new}: the target issued {id} and no longer holds it (deleted there?); added under a "
                 "new ID ('zhaoshang rm {new}' if it was meant to go)")
COPY_KEY_TAKEN = "not copied: {id} would give {target} the same {key} as {other} in the target"
COPY_DRY_RUN = ("would copy {source} → {target}: {added} added ({renumbered} under new IDs), {updated} updated, "
                "{unchanged} unchanged, {conflicts} with conflicts, {skipped} not copied, {kept} only in the target; "
                "nothing was changed")
COPY_PREFER_HELP = ("When a field changed in both stores since each last took the other's records: keep the "
                    "target's (default) or take the source's.")
COPY_DRY_RUN_HELP = "Say what would be copied, merged and renumbered; change nothing."
COPY_TO_HELP = "The store to copy into: a file path or postgresql://USER@HOST/DBNAME."
COPY_FROM_HELP = "The store to copy from (default: --db)."
COPY_NO_TARGET = "--to: give the store to copy into (a file path or postgresql://USER@HOST/DBNAME)"

# -- help pages ------------------------------------------------------------------------------
HELP_EXAMPLES = "Examples"
NO_PAGER_HELP = "Print long output straight to the terminal, without a pager (also ZHAOSHANG_PAGER= or PAGER=cat)."
NOT_NEGATIVE = "{value} is below 0"
NO_STORE = "no store at {path}: `zhaoshang add` or `zhaoshang import` makes one (--db or ZHAOSHANG_DB picks another)"
STORE_FOLDER_MISSING = "the folder {folder} does not exist: make it first, or pick another --db than {path}"
HELP_COMMANDS = "Other commands"
HELP_COMMANDS_ONLY = "Commands"
HELP_SECTIONS = (
    ("Records", ("add", "list", "filter", "show", "edit", "rm")),
    ("Import and export", ("import", "import-page", "export", "copy")),
    ("Reports and leads", ("report", "lead", "agenda", "match", "log", "undo")),
    ("Maintenance", ("doctor", "restore", "config", "regions", "db", "completion")),
)
# Each command's help page starts with its text here; the root page lists the first sentence
# of each without building the commands (cli/app.py), so `zhaoshang --help` stays quick.
# {kinds}, {one}… are the registered kinds (cli/common.kinds_text).
COMMAND_HELP = {
    "add": "Add a record: {one}.",
    "list": "List records of one kind, filtered by region, date, text and status.",
    "filter": "Filter {kinds} at once: one table with a kind column.",
    "show": "Show one whole record, body included.",
    "edit": "Change fields of a record (same validation as add); '' clears a field.",
    "rm": "Delete records (asks at a terminal; needs --yes in scripts). IDs are never reused.",
    "import": "Import records from files: all-or-nothing, idempotent, Chinese headers, GB18030 and Excel welcome.",
    "import-page": "Import scraped pages: the page's article or policy, and the entries of its listing blocks.",
    "export": "Export records with bodies, losslessly: what `import` reads back unchanged.",
    "copy": "Copy every record (IDs, histories, bodies) and the settings into another store, TinyDB or PostgreSQL; "
            "a second run changes nothing.",
    "report": "A regional report: counts per area, the lead funnel and the monthly trend.",
    "lead": "Move leads along: status, notes, follow-up dates, owners.",
    "agenda": "Follow-ups by day: overdue, then the days ahead; --format ics for a calendar.",
    "match": "What an office can offer a lead: the sites (载体) and policies that fit, with the reasons.",
    "log": "What changed, newest first: created, edited (field, old → new), moved, noted, assigned, imported "
           "(with its file) and deleted (with its title), each with who and when.",
    "undo": "Take back one import: remove the records it created and restore the fields it changed, logged as "
            "an undo.",
    "doctor": "Check the store: the file, every record, body references, the index, backups.",
    "restore": "Bring back a previous version of the store (the current one is kept as a backup).",
    "config": "Settings of this store: the home region names are read in.",
    "regions": "Show how a region name resolves (code, full name, level) and list its children.",
    "db": ("Set a store up: a team store on PostgreSQL (db init, db grant); a file store's text index "
           "(db text-index)."),
    "completion": "Print the shell completion script for bash, zsh or fish. Tab then completes commands, options, "
                  "kinds, statuses, formats, record IDs from the store and region names (wq → 武清区).",
}
EXAMPLES: dict[str, list[str]] = {
    "": ["zhaoshang add article --title 武清区新引进生物医药项目 -r 武清 --date 2025-07-17",
         "zhaoshang list articles -r 武清 --month 2025-07",
         "zhaoshang import 线索.csv --on-conflict update",
         "zhaoshang report -r 天津 --month 2025-07"],
    "add": ["zhaoshang add article --title 武清区新引进生物医药项目 -r 武清 --date 2025-07-17",
            "zhaoshang add lead --company 天津海川科技有限公司 --phone 13800138000 -r 武清",
            "zhaoshang add policy --editor"],
    "add article": ["zhaoshang add article --title 武清区新引进生物医药项目 -r 武清 --date 2025-07-17",
                    "zhaoshang add article --title 东丽区集中签约 -r 东丽 --date 今天 --body-file 正文.txt",
                    "zhaoshang add article --editor"],
    "add policy": ["zhaoshang add policy --title 关于印发支持生物医药产业发展若干措施的通知 -r 武清 "
                   "--date 2025-07-01 --issuer 武清区人民政府 --doc-no 武清政发〔2025〕3号",
                   "zhaoshang add policy --editor"],
    "add lead": ["zhaoshang add lead --company 天津海川科技有限公司 --phone 13800138000 -r 武清 "
                 "--amount 5000万 --need 厂房租赁 --source 展会",
                 "zhaoshang add lead --editor"],
    "list": ["zhaoshang list articles -r 武清 --month 2025-07",
             "zhaoshang list leads -s negotiating --sort due --fields id,company,due",
             "zhaoshang list policies --text 人才 --format csv > 人才政策.csv",
             "zhaoshang list leads -s signed --month 2025-07 --format html > 签约.html"],
    "filter": ["zhaoshang filter -r 天津 --since 2025-07-01",
               "zhaoshang filter --text 新能源 --format ids"],
    "show": ["zhaoshang show a12", "zhaoshang show l7 --reveal", "zhaoshang show a12 --format html > a12.html"],
    "edit": ["zhaoshang edit a12 --title 武清区新引进两个生物医药项目",
             "zhaoshang edit l7 --status visited --note 已实地考察",
             "zhaoshang edit a12 --editor"],
    "rm": ["zhaoshang rm a12", "zhaoshang rm a12 a13 --yes"],
    "lead": ["zhaoshang lead status l7 visited --note 已实地考察",
             "zhaoshang lead note l7 --editor",
             "zhaoshang lead due l7 +3d"],
    "lead status": ["zhaoshang lead status l7 visited", "zhaoshang lead status l7 已签约 --note 签约仪式在区政府",
                    "zhaoshang lead status l7 signed --on 2025-07-20 --amount 8000万元"],
    "lead note": ["zhaoshang lead note l7 客户希望下月再约", "zhaoshang lead note l7 --editor"],
    "match": ["zhaoshang match l7", "zhaoshang match l7 --format json", "zhaoshang match --site s4"],
    "agenda": ["zhaoshang agenda --mine", "zhaoshang agenda --owner 张三 --days 14",
               "zhaoshang agenda --format ics -o 跟进.ics"],
    "log": ["zhaoshang log", "zhaoshang log l7", "zhaoshang log --since 7d --by 张三 --format csv"],
    "undo": ["zhaoshang undo", "zhaoshang undo 3f9a0c1d2e4b --yes"],
    "lead dupes": ["zhaoshang lead dupes", "zhaoshang lead dupes --format json"],
    "lead merge": ["zhaoshang lead merge l3 l7 l9", "zhaoshang lead merge l3 l7 --yes"],
    "lead assign": ["zhaoshang lead assign l7 张三", "zhaoshang lead assign l7 --clear"],
    "lead due": ["zhaoshang lead due l7 2025-08-01", "zhaoshang lead due l7 +3d", "zhaoshang lead due l7"],
    "report": ["zhaoshang report -r 天津 --month 2025-07",
               "zhaoshang report -r 武清 --on 2025Q3 --by industry --format markdown",
               "zhaoshang report -r 天津 --since 2025-01-01 --format csv -o 报表.csv",
               "zhaoshang report -r 天津 --month 2025-07 --format html -o 周报.html",
               "zhaoshang report -r 天津 --month 2025-07 --open"],
    "import": ["zhaoshang import articles.jsonl",
               "zhaoshang import 线索.csv --on-conflict update --in 天津",
               "zhaoshang import 报表.xlsx --sheet 2 --dry-run",
               "zhaoshang import 线索台账.xlsx --map '客户经理=owner' --dry-run",
               "zhaoshang import 线索.csv --skip-invalid --rejects 退回.csv"],
    "import-page": ["zhaoshang import-page pages/", "zhaoshang import-page 000_45bb69569adba156.txt --dry-run"],
    "export": ["zhaoshang export articles -o articles.jsonl",
               "zhaoshang export leads --format csv --excel -o 线索.csv",
               "zhaoshang export policies -r 武清 --fields id,title,doc_no,date --format csv"],
    "regions": ["zhaoshang regions", "zhaoshang regions 武清", "zhaoshang regions 和平区 --in 天津"],
    "doctor": ["zhaoshang doctor", "zhaoshang doctor --fix"],
    "restore": ["zhaoshang restore --list", "zhaoshang restore --yes"],
    "config": ["zhaoshang config", "zhaoshang config set region 天津", "zhaoshang config unset region"],
    "config get": ["zhaoshang config get region"],
    "config set": ["zhaoshang config set region 天津"],
    "config unset": ["zhaoshang config unset region"],
    "copy": ["zhaoshang copy --from ~/zhaoshang.json --to postgresql://zs_owner@dbhost/zhaoshang",
             "zhaoshang --db postgresql://zs_reader@dbhost/zhaoshang copy --to offline.json"],
    "db": ["zhaoshang --db postgresql://zs_owner@dbhost/zhaoshang db init"],
    "db grant": ["zhaoshang --db postgresql://zs_owner@dbhost/zhaoshang db grant --editor zs_editor "
                 "--reader zs_reader",
                 "zhaoshang --db postgresql://zs_owner@dbhost/zhaoshang db grant --editor zs_editor --print"],
    "db text-index": ["zhaoshang db text-index", "zhaoshang db text-index on", "zhaoshang db text-index off"],
    "db init": ["zhaoshang --db postgresql://zs_owner@dbhost/zhaoshang db init",
                "ZHAOSHANG_DB=postgresql://zs_owner@/zhaoshang?host=/var/run/postgresql zhaoshang db init"],
    "completion": ["zhaoshang completion bash > ~/.local/share/bash-completion/completions/zhaoshang",
                   "zhaoshang completion fish > ~/.config/fish/completions/zhaoshang.fish",
                   "zhaoshang --install-completion zsh"],
}

ERROR_PREFIX = "error: "  # before every error line
WARNING_PREFIX = "warning: "

# db grant and its doctor check (storage/postgres/grants.py)
DB_GRANT_EDITOR_HELP = ("A role that edits: reads and writes records, settings and the change log (adds only); "
                        "draws IDs but cannot wind them back. Repeatable.")
DB_GRANT_READER_HELP = "A role that reads: every table and view. Repeatable."
DB_GRANT_PRINT_HELP = "Print the SQL without running it."
DB_GRANT_NOBODY = "name at least one role: --editor ROLE or --reader ROLE"
DB_GRANT_DONE = "{url}: rights given: editors {editors}; readers {readers}"
DB_GRANT_NO_STORE = "{url}: no store here yet: run `zhaoshang db init` first"
DB_GRANT_NO_ROLE = "no database role '{role}': a superuser creates it first (CREATE ROLE {role} LOGIN)"
DB_GRANT_NOT_OWNER = "{url}: only the store's owner may give rights ({reason})"
# db text-index (storage/tinydb/text_indexing.py)
DB_TEXT_INDEX_SWITCH_HELP = ("on: keep a text index (a file store: in every segment; a team store: trigram indexes "
                             "of every table, which its owner builds); off: drop it. Without it: show the state.")
DB_TEXT_INDEX_STATE_PG = "{url}: text index {state}: {indexed} of {tables} tables have one ({size} MiB)"
DB_TEXT_INDEX_WRITTEN_PG = "{url}: text index {state}: {written} indexes built or dropped"
DB_TEXT_INDEX_NO_TRIGRAM = ("{url}: the server has no pg_trgm, which the text index needs: install PostgreSQL's "
                            "contrib set, then run 'zhaoshang db init' as the owner")
DB_TEXT_INDEX_NOT_OWNER = ("{url}: only the owner of the tables builds or drops the text index ({reason}); "
                           "ask them to run 'zhaoshang db text-index'")
PG_INIT_TEXT_INDEX = "built the text indexes of {table} again, on what text search now reads"
DB_TEXT_INDEX_ON = "on"
DB_TEXT_INDEX_OFF = "off"
DB_TEXT_INDEX_STATE = "{path}: text index {state}: {indexed} of {segments} segments have one ({size} MiB)"
DB_TEXT_INDEX_CHOICE = "db text-index takes on or off (or nothing, to show the state), not '{value}'"
DB_TEXT_INDEX_WRITTEN = "{path}: text index {state}: {written} segments written again"
PG_INIT_GRANTED = "gave {roles} their rights to the new tables"
PG_INIT_VIEWS = "made the views for SQL (zs_articles_v…) and the region table zs_regions"
DOCTOR_GRANT_CONTROL = "{role} may change the control table {table} ({rights}): `db grant` gives nobody that"
DOCTOR_GRANT_REWIND = "{role} may wind back {sequence} (UPDATE, setval): IDs could be issued twice"
DOCTOR_GRANT_LOG = "{role} may rewrite the change log ({rights}): editors only add to it"
DOCTOR_GRANT_READER_WRITES = "reader {role} may write {table}"
DOCTOR_GRANT_PUBLIC = "everyone (PUBLIC) has rights on {table}"
DOCTOR_GRANT_EDITOR_LACKS = "editor {role} lacks {rights} on {table}: run `zhaoshang db grant --editor {role}`"
DOCTOR_GRANT_READER_LACKS = "reader {role} cannot read {table}: run `zhaoshang db grant --reader {role}`"
DOCTOR_GRANTS_OK = "rights as `db grant` gives them: editors {editors}; readers {readers}"

# Click's usage errors, worded here (cli/usage_errors.py)
USAGE_SEE_HELP = "; see '{command}'"
USAGE_NO_SUCH_OPTION = "no such option: {name}"
USAGE_DID_YOU_MEAN = " (did you mean {choices}?)"
USAGE_MISSING_ARGUMENT = "missing argument {param}"
USAGE_MISSING_OPTION = "missing option {param}"
USAGE_INVALID_VALUE = "invalid value for {param}: {reason}"
USAGE_NOT_A = "'{value}' is not {type}"
USAGE_TYPE_INTEGER = "a whole number"
USAGE_TYPE_NUMBER = "a number"
USAGE_TYPE_BOOLEAN = "true or false"
USAGE_NOT_ONE_OF = "'{value}' is not one of {choices}"
USAGE_REQUIRES_VALUE = "option {name} needs a value"
USAGE_TAKES_NO_VALUE = "option {name} takes no value"
USAGE_EXTRA_ARGUMENTS = "unexpected extra argument(s): {args}"
USAGE_NO_SUCH_COMMAND = "no such command '{name}'"
ABORTED = "aborted"

# Click's own words on a help page
HELP_USAGE = "Usage: "
HELP_ENV_VAR = "env var"
HELP_DEFAULT = "default"
HELP_REQUIRED = "required"
HELP_HEADINGS = ("Options", "Arguments", "Commands")
HELP_OPTION_HELP = "Show this message and exit."

# -- shell completion ------------------------------------------------------------------------
COMPLETION_SHELL_HELP = "bash, zsh or fish (default: the shell this runs in)."
SHOW_COMPLETION_HELP = "Print the completion script for SHELL (bash, zsh or fish)."
INSTALL_COMPLETION_HELP = "Install completion for SHELL (bash, zsh or fish) in its start-up files."
COMPLETION_SHELL_UNKNOWN = "no completion for the shell {value!r}: {shells}"
COMPLETION_SHELL_UNDETECTED = "cannot tell which shell this is: name it ({shells})"
COMPLETION_INSTALLED = "{shell} completion installed in {path}; it works in a new shell"


# -- the language spoken (i18n.py) -----------------------------------------------------------
# Every message above is English, the msgid of its translation: it is looked up when it is
# used (``messages.X``), in the language chosen then, so that one process may speak both.
NOT_TRANSLATED = frozenset(("EXAMPLES",))  # shell commands, the same in any language
_ENGLISH = {_name: _value for _name, _value in globals().items() if _name.isupper() and _name != "NOT_TRANSLATED"}
for _name in _ENGLISH:
    del globals()[_name]
_SPOKEN: dict[tuple[str, str], object] = {}


def english(name: str) -> object:
    """The message ``name`` as written above."""
    return _ENGLISH[name]


def names() -> list[str]:
    return list(_ENGLISH)


def _translated(value: object, gettext: object) -> object:
    if isinstance(value, str):
        return gettext(value)  # type: ignore[operator]
    if isinstance(value, tuple):
        return tuple(_translated(v, gettext) for v in value)
    if isinstance(value, list):
        return [_translated(v, gettext) for v in value]
    if isinstance(value, dict):
        return {k: _translated(v, gettext) for k, v in value.items()}
    return value


def __getattr__(name: str) -> object:
    try:
        value = _ENGLISH[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from .i18n import gettext, language

    lang = language()
    if lang == "en" or name in NOT_TRANSLATED:
        return value
    if isinstance(value, str):
        return gettext(value)
    key = (name, lang)
    if key not in _SPOKEN:
        _SPOKEN[key] = _translated(value, gettext)
    return _SPOKEN[key]
