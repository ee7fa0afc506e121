-- iamsh.help: operations from the model, sections of the docs (a fixture folder,
-- tests/data/help), module listings, the overview, unknown names (no network).
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
local t = require("harness")
local help = require "iamsh.help"
local iamsh = require "iamsh"

local FIXTURE = os.getenv("IAMSH_TEST_DATA") .. "/help"

local function lines(...)
  return table.concat({ ... }, "\n")
end

local function has(text, piece)
  t.check(text:find(piece, 1, true), string.format("%q not in:\n%s", piece, text))
end

t.test("an operation: parameters, enums, lengths, result, errors", function()
  t.eq(help.text "update_access_key", lines(
    "iam.update_access_key (IAM UpdateAccessKey)",
    "  iam.update_access_key { AccessKeyId = ..., Status = ... }  -> result, request_id",
    "",
    "Parameters:",
    "  AccessKeyId  required  string, 16..128 chars, pattern [\\w]+",
    "  Status       required  string, one of: Active, Inactive, Expired",
    "  UserName               string, 1..128 chars, pattern [\\w+=,.@-]+",
    "",
    "Result: none (an empty table)",
    "",
    "Errors (code, HTTP status):",
    "  NoSuchEntity    404",
    "  LimitExceeded   409",
    "  ServiceFailure  500",
    "  InvalidInput    400",
    "",
    "Pageable: no",
    "Waiters: none"))
  t.eq(help.text "sts.get_caller_identity", lines(
    "sts.get_caller_identity (STS GetCallerIdentity)",
    "  sts.get_caller_identity()  -> result, request_id",
    "",
    "Parameters: none",
    "",
    "Result:",
    "  UserId   string",
    "  Account  string",
    "  Arn      string",
    "",
    "Errors: none listed in the model",
    "",
    "Pageable: no",
    "Waiters: none"))
end)

t.test("create_role: required first, nested structures one level down, policy documents", function()
  local text = help.text "create_role"
  has(text, "  RoleName                  required  string, 1..64 chars, pattern [\\w+=,.@-]+\n"
    .. "  AssumeRolePolicyDocument  required  policy document (a table or JSON text),\n"
    .. "                                      1..131072 chars,\n")
  -- at 80 columns (the tests' width) a long constraint continues under itself
  has(text, "  Path                                string, 1..512 chars,\n"
    .. "                                      pattern (\\x{002F})|(\\x{002F}[\\x{0021}-\\x{0\n"
    .. "                                      07E}]+\\x{002F})\n")
  has(text, "  MaxSessionDuration                  integer, 3600..43200\n")
  has(text, "  Tags                                list of Tag, <= 50 items\n"
    .. "    Key                     required  string, 1..128 chars")
  has(text, "Result:\n  Role                        Role\n    Path                      string\n")
  has(text, "    CreateDate                timestamp (ISO 8601 text)\n")
  has(text, "  EntityAlreadyExists      409\n")
  has(text, "  MalformedPolicyDocument  400\n")
  local create_key = help.text "create_access_key"
  has(create_key, "    SecretAccessKey  string, secret\n")
  has(create_key, "    Status           string, one of: Active, Inactive, Expired\n")
end)

t.test("every way to name an operation gives the same help", function()
  local want = help.text "create_role"
  t.eq(help.text(iam.create_role), want, "the function itself")
  t.eq(help.text "iam.create_role", want)
  t.eq(help.text "CreateRole", want)
  t.eq(help.text "iam.CreateRole", want)
  t.eq(help.text(iam.CreateRole), want, "cached under the wire name")
  t.eq(help.text(sts.get_caller_identity), help.text "get_caller_identity")
end)

t.test("pagination and waiters", function()
  has(help.text "list_roles", 'Pageable: iam.all("list_roles", {...}) -> the Roles of every page in one list;'
    .. ' iam.pages("list_roles", {...}) iterates the pages')
  has(help.text "get_role", 'Waiters: iam.wait("role_exists", {...})')
  has(help.text "list_entities_for_policy", "the PolicyGroups and PolicyUsers and PolicyRoles of every page")
end)

t.test("unknown names: one line with suggestions", function()
  t.eq(help.text "creat_role", "help: nothing named 'creat_role' (did you mean iam.create_role?)")
  t.eq(help.text "CreateRle", "help: nothing named 'CreateRle' (did you mean iam.create_role?)")
  t.eq(help.text "iam.get_rol",
    "help: nothing named 'iam.get_rol' (did you mean iam.get_role, iam.get_role_policy?)")
  t.eq(help.text "xyzzy", "help: nothing named 'xyzzy' (help() lists the modules and helpers)")
  t.eq(help.text "s3.get_object", "help: nothing named 's3.get_object' (help() lists the modules and helpers)")
  t.eq(help.text(42), "help: no help for a number value (help() lists what there is)")
  t.eq(help.text(true), "help: no help for a boolean value (help() lists what there is)")
end)

t.test("docs: a function's section, up to the next heading of its level or higher", function()
  help.docs_dir = FIXTURE
  -- as it reads on a terminal: no Markdown marks, code indented
  local want = lines(
    "provision.role{...}",
    "",
    "Makes or converges a role.",
    "",
    "    # not a heading: inside a code block",
    '    provision.role { name = "R" }',
    "",
    "Options",
    "",
    "- `name`: the role's name.")
  t.eq(help.text(provision.role), want)
  t.eq(help.text "provision.role", want)
  t.eq(help.text(require("provision").teardown_role), "provision.teardown_role(name)\nRemoves a role.",
    "the last section of a file")
  t.eq(help.text(provision.configure), "help: no documentation for provision.configure")
  help.docs_dir = nil
end)

t.test("a module: its functions with the first line of each doc", function()
  help.docs_dir = FIXTURE
  local text = help.text(provision)
  help.docs_dir = nil
  t.check(text:match("^provision: a module\n"), text)
  -- the column's width follows provision's longest function name
  t.check(text:find("\n  provision%.role{%.%.%.} +Makes or converges a role%.\n"), text)
  t.check(text:find("\n  provision%.configure +%(no documentation%)\n"), text)
  t.check(text:find("\n  provision%.user{%.%.%.} +Makes or converges a user%."), text)
  t.eq(help.text "provision", help.text(provision), "by name too")
  has(help.text(iam), "iam: 176 IAM operations, each iam.<name>{...} -> result, request_id;")
  has(help.text(iam), "\n  create_      access_key, account_alias,")
  t.eq(help.text "sts", help.text(sts))
end)

t.test("other functions and tables", function()
  t.eq(help.text(print), "help: no documentation for print here: it is part of Lua "
    .. "(see https://www.lua.org/manual/5.4/manual.html#pdf-print)")
  has(help.text(string.format), "#pdf-string.format)")
  t.check(help.text(function() end):match("^help: no documentation for this function %(defined at .*test_help%.lua:%d+, "
    .. "not part of a loaded module%)$"), help.text(function() end))
  t.eq(help.text({}), "help: this table is not a module (pp(x) prints it; help() lists the modules)")
  has(help.text(aws), "\n  aws.json ")
end)

t.test("the core API's docs: functions two tables deep, service functions", function()
  has(help.text(aws.json.encode), "aws.json.encode(value, opts)\n\nA Lua value as JSON text;")
  has(help.text(aws.model.shape), "aws.model.shape(service, name)")
  has(help.text(iam.all), "iam.all(operation, params)")
  has(help.text "aws.is_secret", "aws.is_secret(s)")
  has(help.text(aws.json), "\n  aws.json.encode(value, opts)  A Lua value as JSON text;")
  has(help.text(aws), "\n  aws.call(service, operation, params)  Any operation by service and name:")
end)

t.test("the overview: modules, helpers from the docs, the policy engine's helpers", function()
  help.docs_dir = FIXTURE
  local text = help.text()
  help.docs_dir = nil
  t.eq(text, lines(
    "iamsh: Lua 5.4 with every AWS IAM and STS operation; help(x) for any of these.",
    "",
    "Modules",
    "  iam        IAM operations: iam.create_role{...}, iam.all, iam.wait",
    "  sts        STS operations: sts.get_caller_identity(), sts.assume_role{...}",
    "  aws        aws.call, config, json, model, policy, sigv4, base64, Error",
    "  provision  convergent set-up of roles, users, keys and policies",
    "  policy     policy documents: check, evaluate, can, who_can",
    "  iamsh.pp   the printer: pp.format, display, tabulate, columns, view",
    "",
    "Helpers",
    "  help(x)         Help on everything.",
    "  pp(value, ...)  Prints values.",
    "",
    "Policy engine",
    "  can(principal, action, resource)  Whether principal may do action on resource.",
    "  who_can(action, resource)         Who may do it, from the REPL.",
    "  who_can_assume(role)              Who may assume the role.",
    "",
    'Operations: help "create_role" (or help(iam.create_role)) shows the',
    "parameters, result and errors; help(iam) lists them all."))
  t.eq(help.text(nil), help.text(), "help(nil) is help()")
end)

t.test("the shipped docs: every helper is listed, and has a section", function()
  local text = help.text()
  for _, name in ipairs { "help(x)", "pp(value, ...)", "tabulate(rows, columns, opts)", "reveal(value)",
    "whoami()", "show.role(name)", "show.user(name)", "show.policy(arn_or_name)", "stale{days = 90}" } do
    has(text, "\n  " .. name .. " ")
  end
  has(help.text(pp), "pp(value, ...)\n\nPrints values readably, secrets redacted.")
  has(help.text(tabulate), "tabulate(rows, columns, opts)")
  has(help.text(reveal), "reveal(value)")
  has(help.text(help.help), "help(x)")
  t.eq(rawget(_G, "tabulate") ~= nil, true)
  has(help.text(require("iamsh.pp").display), "pp.display(value, opts)\n\nReturns what the REPL prints")
  t.check(iamsh.docs_dir ~= nil)
end)

t.test("layout: prose and lists reflowed to the width, tables as columns", function()
  local layout = require "iamsh.help.layout"
  local md = table.concat({
    "### `f(x)`",
    "",
    "One two three four five six seven eight nine ten eleven twelve",
    "thirteen fourteen.",
    "",
    "- an item that is long enough to wrap onto a second line here",
    "",
    "| key | default | meaning |",
    "|---|---|---|",
    "| `a` | — | the first key, with a meaning that is long |",
    "",
    "```lua",
    "local x = f(1)  -- code is never reflowed, however long its line may happen to be",
    "```",
  }, "\n")
  t.eq(layout.markdown(md, 40), lines(
    "f(x)",
    "",
    "One two three four five six seven eight",
    "nine ten eleven twelve thirteen",
    "fourteen.",
    "",
    "- an item that is long enough to wrap",
    "  onto a second line here",
    "",
    "  key  default  meaning",
    "  `a`  —        the first key,",
    "                with a meaning that is",
    "                long",
    "",
    "    local x = f(1)  -- code is never reflowed, however long its line may happen to be"),
    "columns aligned by characters (— is one); the last one wraps under itself")
  t.check(layout.markdown(md, 30):find("\n  key  default\n      meaning\n  `a`  —\n      the first key,", 1, true),
    "too narrow: the last column goes under each row")
  t.eq(table.concat(layout.wrap("abcdefghij klm", 5), "|"), "abcde|fghij|klm", "a long word is cut")
end)

t.test("help prints and returns nothing", function()
  local out = {}
  local real = io.stdout
  io.stdout = { write = function(_, ...) for _, s in ipairs { ... } do out[#out + 1] = s end end }
  local ok, n = pcall(function() return select("#", help.help "xyzzy") end)
  io.stdout = real
  t.check(ok, n)
  t.eq(n, 0)
  t.eq(table.concat(out), "help: nothing named 'xyzzy' (help() lists the modules and helpers)\n")
end)

t.finish()
