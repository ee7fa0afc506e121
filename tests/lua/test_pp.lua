-- iamsh.pp: the pretty printer, column tables, redaction, views (no network).
-- Every output is compared exactly, at an explicit width.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
local t = require("harness")
local pp = require "iamsh.pp"

local function lines(...)
  return table.concat({ ... }, "\n")
end

-- First, before anything else loads it: a value without a table with string keys
-- must not load the AWS module (it costs ~10 ms of start-up).
t.test("pp does not load aws for plain values", function()
  t.eq(package.loaded.aws, nil, "nothing loaded aws yet")
  t.eq(pp.format({ 1, "two", { 3 } }, { width = 40 }), '{ 1, "two", { 3 } }')
  t.eq(pp.format("text"), '"text"')
  t.eq(pp.display({ 1, 2 }, { width = 40 }), "{ 1, 2 }")
  t.eq(package.loaded.aws, nil, "still not loaded")
  t.eq(pp.format({ a = 1 }, { width = 40 }), "{ a = 1 }")
  t.check(package.loaded.aws ~= nil, "a table with string keys loads the secret names")
end)

t.test("tables: sorted keys, inline when they fit, else one entry a line", function()
  local v = { Role = { RoleName = "demo", Path = "/", MaxSessionDuration = 3600,
    Tags = { { Key = "team", Value = "ml" } } } }
  t.eq(pp.format(v, { width = 40 }), lines(
    "{",
    "  Role = {",
    "    MaxSessionDuration = 3600,",
    '    Path = "/",',
    '    RoleName = "demo",',
    "    Tags = {",
    '      { Key = "team", Value = "ml" }',
    "    }",
    "  }",
    "}"))
  t.eq(pp.format(v, { width = 120 }), '{ Role = { MaxSessionDuration = 3600, Path = "/", RoleName = "demo", '
    .. 'Tags = { { Key = "team", Value = "ml" } } } }')
  t.eq(pp.format({}), "{}")
  t.eq(pp.format(aws.json.array {}), "{}")
end)

t.test("keys: sequence first, then numbers, strings, others; brackets where needed", function()
  local v = { "a", "b", x = 1, [10] = true, [2.5] = "f", ["with space"] = 1, ["end"] = 2, [true] = 3 }
  t.eq(pp.format(v, { width = 80 }), lines(
    "{",
    '  "a",',
    '  "b",',
    '  [2.5] = "f",',
    "  [10] = true,",
    '  ["end"] = 2,',
    '  ["with space"] = 1,',
    "  x = 1,",
    "  [true] = 3",
    "}"))
  local marked = aws.json.array { "x" }
  t.eq(pp.format(marked), '{ "x" }', "a marked array is a list")
end)

t.test("strings: quoted, escaped, cut to the width with a count", function()
  t.eq(pp.format({ ok = "h\u{e9}llo \u{1F600}", bad = "a\0b\xff\x1b", q = 'say "hi"\n' }, { width = 80 }),
    '{ bad = "a\\x00b\\xFF\\x1B", ok = "h\u{e9}llo \u{1F600}", q = "say \\"hi\\"\\n" }')
  t.eq(pp.format(string.rep("ab", 50), { width = 30 }), '"abababababab"... (+88 chars)')
  t.check(#pp.format(string.rep("ab", 80), { width = 30 }) <= 30, "fits the width")
  t.eq(pp.format({ Policy = '{"Version":"2012-10-17"}' .. string.rep("x", 100) }, { width = 50 }), lines(
    "{",
    '  Policy = "{\\"Version\\":\\"2012-1"... (+106 chars)',
    "}"))
  t.eq(pp.format(string.rep("\u{e9}", 40), { width = 20 }), '"\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}'
    .. '\u{e9}\u{e9}\u{e9}"... (+30 chars)', "cut by characters, not bytes")
  t.eq(pp.format(string.rep("x", 70), { width = 80 }), '"' .. string.rep("x", 70) .. '"', "fits: whole")
end)

t.test("long lists cut with a count", function()
  local big = {}
  for i = 1, 60 do big[i] = i end
  t.eq(pp.format(big, { width = 40, max_items = 3 }), lines("{", "  1,", "  2,", "  3,", "  ... 57 more", "}"))
  t.eq(select(2, pp.format(big, { width = 40 }):gsub("\n", "")), 52, "50 items by default, the count and braces")
  t.check(pp.format(big, { width = 40 }):find("... 10 more", 1, true))
end)

t.test("cycles, depth, functions, userdata, null, errors", function()
  local c = {}
  c.self = c
  c.x = { c }
  t.eq(pp.format(c, { width = 60 }), "{ self = <cycle>, x = { <cycle> } }")
  local shared = { 1 }
  t.eq(pp.format({ a = shared, b = shared }, { width = 60 }), "{ a = { 1 }, b = { 1 } }", "shared is not a cycle")
  local deep, cur = {}, nil
  cur = deep
  for _ = 1, 15 do cur.next = {}; cur = cur.next end
  cur.v = 1
  t.eq(pp.format(deep, { width = 20, depth = 3 }), lines(
    "{", "  next = {", "    next = {", "      next = {...}", "    }", "  }", "}"))
  local e = setmetatable({ code = "NoSuchEntity", message = "Role x not found", status = 404,
    operation = "GetRole", kind = "service" }, aws.Error)
  t.eq(pp.format(e), "GetRole: NoSuchEntity (404): Role x not found")
  t.eq(pp.format({ err = e, null = aws.json.null, f = print, co = coroutine.create(print), u = io.stdout },
    { width = 60 }), lines(
    "{",
    "  co = <thread>,",
    "  err = GetRole: NoSuchEntity (404): Role x not found,",
    "  f = <function>,",
    "  null = null,",
    "  u = <userdata>",
    "}"))
  t.eq(pp.format(nil), "nil")
  t.eq(pp.format(1.0), "1.0")
  t.eq(pp.format(-7), "-7")
  t.eq(pp.format(false), "false")
end)

t.test("redaction by key name: the model's names and the usual spellings", function()
  local v = { SecretAccessKey = "abc", password = "p", SessionToken = "tok", AWS_SECRET_ACCESS_KEY = "e",
    ["aws-session-token"] = "t2", secretKey = "k", flag = false, x = { Password = "q", PrivateKey = { "pem" } },
    AccessKeyId = "AKIDFAKEFAKEFAKE01", PasswordResetRequired = true, Password2 = "not a secret name" }
  t.eq(pp.format(v, { width = 50 }), lines(
    "{",
    '  AWS_SECRET_ACCESS_KEY = <redacted>,',
    '  AccessKeyId = "AKIDFAKEFAKEFAKE01",',
    '  Password2 = "not a secret name",',
    "  PasswordResetRequired = true,",
    "  SecretAccessKey = <redacted>,",
    "  SessionToken = <redacted>,",
    '  ["aws-session-token"] = <redacted>,',
    "  flag = false,",
    "  password = <redacted>,",
    "  secretKey = <redacted>,",
    "  x = {",
    "    Password = <redacted>,",
    "    PrivateKey = <redacted>",
    "  }",
    "}"))
  t.eq(pp.format({ x = { Password = "q", PrivateKey = { "pem" } } }, { width = 60 }),
    "{ x = { Password = <redacted>, PrivateKey = <redacted> } }", "a table under a secret name too")
  t.eq(pp.format({ Password = false, SecretAccessKey = aws.json.null }, { width = 60 }),
    "{ Password = false, SecretAccessKey = null }", "booleans and null say nothing")
end)

t.test("reveal: a view that prints the secrets", function()
  local v = { SecretAccessKey = "abc" }
  t.eq(pp.format(pp.reveal(v), { width = 60 }), '{ SecretAccessKey = "abc" }')
  t.eq(pp.format({ inner = pp.reveal(v), outer = "x", Password = "p" }, { width = 80 }),
    '{ Password = <redacted>, inner = { SecretAccessKey = "abc" }, outer = "x" }', "only inside reveal")
  t.eq(pp.format(v, { width = 60, reveal = true }), '{ SecretAccessKey = "abc" }', "opts.reveal")
  t.eq(pp.display(pp.reveal(v), { width = 60 }), '{ SecretAccessKey = "abc" }')
  t.eq(pp.reveal(v).value, v)
  t.eq(pp.reveal(pp.reveal(v)).value, v, "reveal of reveal is the same")
  t.eq(pp.format(v, { width = 60 }), "{ SecretAccessKey = <redacted> }", "the value itself is unchanged")
end)

t.test("views: __pp at any depth, multi-line ones on their own lines", function()
  local view = setmetatable({}, { __pp = function(_, opts) return "<view " .. opts.width .. ">" end })
  t.eq(pp.format(view, { width = 30 }), "<view 30>")
  t.eq(pp.format({ a = { view } }, { width = 30 }), "{ a = { <view 26> } }")
  local two = pp.view(function(opts) return "line one\nline two (" .. opts.width .. ")" end)
  t.eq(tostring(two):match("^line one\nline two %(%d+%)$") ~= nil, true, "tostring is the same text")
  t.eq(pp.format({ k = two, l = 1 }, { width = 40 }), lines(
    "{",
    "  k =",
    "    line one",
    "    line two (38),",
    "  l = 1",
    "}"))
  t.eq(pp.format({ two }, { width = 40 }), lines("{", "  line one", "  line two (38)", "}"))
  local bad = setmetatable({}, { __pp = function() return 1 end })
  t.check(tostring(t.raises(function() pp.format(bad) end)):find("__pp must return a string", 1, true))
  t.raises(function() pp.view("x") end)
end)

local users = {
  { UserName = "alice", UserId = "AIDAALICE", Arn = "arn:aws:iam::123456789012:user/alice",
    CreateDate = "2024-01-02T03:04:05Z", Path = "/", PasswordLastUsed = "2024-02-01T00:00:00Z" },
  { UserName = "bob", UserId = "AIDABOB", Arn = "arn:aws:iam::123456789012:user/engineering/bob",
    CreateDate = "2024-01-03T03:04:05Z", Path = "/engineering/", Tags = { { Key = "team", Value = "ml" } } },
  { UserName = "carol", UserId = "AIDACAROL", Arn = "arn:aws:iam::123456789012:user/carol",
    CreateDate = "2024-01-04T03:04:05Z", Path = "/" },
}

t.test("columns: a list of records, names and ids first, as many as fit", function()
  t.eq(table.concat(pp.columns(users, { width = 80 }), ","), "UserName,UserId,Arn")
  t.eq(table.concat(pp.columns(users, { width = 40 }), ","), "UserName,UserId,Path", "Arn does not fit; Path does")
  t.eq(table.concat(pp.columns(users, { width = 200 }), ","), "UserName,UserId,Arn,CreateDate,Path",
    "PasswordLastUsed is in one row of three: not a column")
  t.eq(pp.columns({ 1, 2 }), nil, "a list of numbers")
  t.eq(pp.columns({}), nil, "an empty list")
  t.eq(pp.columns({ { 1 } }), nil, "a list of lists")
  t.eq(pp.columns({ a = {} }), nil, "not a list")
  t.eq(pp.columns({ { a = {} } }), nil, "no scalar field")
  t.eq(pp.columns("x"), nil)
  local own = setmetatable({ { B = 1, A = 2, Z = 3 }, { B = 4, A = 5, C = 6 } },
    { __columns = { "Z", "C", "B", "Missing" } })
  t.eq(table.concat(pp.columns(own, { width = 80 }), ","), "Z,C,B",
    "a list's own __columns, in its order, those some record has")
  t.eq(pp.columns({ { a = 1 }, { b = 2 }, { c = 3 } }), nil, "no field in half the rows")
end)

t.test("display: a list of records as a table, else format", function()
  t.eq(pp.display(users, { width = 80 }), lines(
    "UserName  UserId     Arn",
    "--------  ---------  ----------------------------------------------",
    "alice     AIDAALICE  arn:aws:iam::123456789012:user/alice",
    "bob       AIDABOB    arn:aws:iam::123456789012:user/engineering/bob",
    "carol     AIDACAROL  arn:aws:iam::123456789012:user/carol"))
  t.eq(pp.display({ Users = { users[3] } }, { width = 200 }), '{ Users = { { Arn = "arn:aws:iam::123456789012:'
    .. 'user/carol", CreateDate = "2024-01-04T03:04:05Z", Path = "/", UserId = "AIDACAROL", UserName = "carol" } } }',
    "a list inside a result is not a table")
end)

t.test("tabulate: given columns, blanks, nested values, numbers right", function()
  t.eq(tostring(pp.tabulate(users, { "UserName", "Tags", "Path", "Missing" }, { width = 80 })), lines(
    "UserName  Tags                                Path           Missing",
    "--------  ----------------------------------  -------------  -------",
    "alice                                         /",
    'bob       { { Key = "team", Value = "ml" } }  /engineering/',
    "carol                                         /"))
  t.eq(tostring(pp.tabulate({ { n = 1, name = "x" }, { n = 100, name = "yy" } }, { "name", "n" })), lines(
    "name    n", "----  ---", "x       1", "yy    100"))
  t.eq(tostring(pp.tabulate({ { 1, "a" }, { 22, "bb" } })), lines(" 1  2", "--  --", " 1  a", "22  bb"),
    "lists of lists: integer columns")
end)

t.test("tabulate: shrunk to the width, rows capped", function()
  t.eq(tostring(pp.tabulate(users, { "UserName", "Arn", "CreateDate" }, { width = 50 })), lines(
    "UserName  Arn                  CreateDate",
    "--------  -------------------  -------------------",
    "alice     arn:aws:iam::123...  2024-01-02T03:04...",
    "bob       arn:aws:iam::123...  2024-01-03T03:04...",
    "carol     arn:aws:iam::123...  2024-01-04T03:04..."))
  t.eq(tostring(pp.tabulate(users, { "UserName" }, { max_rows = 2 })), lines(
    "UserName", "--------", "alice", "bob", "... 1 more row"))
  t.eq(tostring(pp.tabulate({}, { "A" })), lines("A", "-", "(no rows)"))
  t.eq(tostring(pp.tabulate({})), "(no rows)")
  local many = {}
  for i = 1, 60 do many[i] = { Name = "n" .. i } end
  t.check(tostring(pp.tabulate(many)):find("\n... 10 more rows$"), "50 rows by default")
end)

t.test("tabulate: a view, secrets redacted in cells", function()
  local view = pp.tabulate({ { AccessKeyId = "AKIDFAKEFAKEFAKE01", SecretAccessKey = "s3cr3t" } })
  local want = lines("AccessKeyId         SecretAccessKey", "------------------  ---------------",
    "AKIDFAKEFAKEFAKE01  <redacted>")
  t.eq(tostring(view), want)
  t.eq(pp.format(view, { width = 80 }), want)
  t.eq(pp.display(view, { width = 80 }), want)
  t.check(pp.format(pp.reveal(view), { width = 80 }):find("s3cr3t", 1, true), "revealed")
  t.eq(pp.format({ t = pp.tabulate(users, { "UserName" }) }, { width = 80 }), lines(
    "{", "  t =", "    UserName", "    --------", "    alice", "    bob", "    carol", "}"))
end)

t.test("bad arguments raise naming them", function()
  local function msg(f) return tostring(t.raises(f)) end
  t.check(msg(function() pp.format({}, { widht = 3 }) end):find("pp.format: unknown option 'widht'", 1, true))
  t.check(msg(function() pp.format({}, { width = 3 }) end):find("opts.width must be an integer >= 10", 1, true))
  t.check(msg(function() pp.format({}, { reveal = 1 }) end):find("opts.reveal must be a boolean", 1, true))
  t.check(msg(function() pp.format({}, "wide") end):find("opts must be a table", 1, true))
  t.check(msg(function() pp.tabulate("x") end):find("tabulate: rows must be a list of tables", 1, true))
  t.check(msg(function() pp.tabulate({ { a = 1 }, 2 }) end):find("rows[2] is a number", 1, true))
  t.check(msg(function() pp.tabulate({}, {}) end):find("columns must be a non-empty list", 1, true))
  t.check(msg(function() pp.tabulate({}, { "a", true }) end):find("columns[2] must be a field name", 1, true))
  t.check(msg(function() pp.tabulate({}, nil, { max_rows = 0 }) end):find("opts.max_rows", 1, true))
  t.check(msg(function() pp.display(1, { depth = 0 }) end):find("pp.display: opts.depth", 1, true))
end)

t.test("pp prints each value on its own line", function()
  local out = {}
  local real = io.stdout
  io.stdout = { write = function(_, ...) for _, s in ipairs { ... } do out[#out + 1] = s end end }
  local ok, err = pcall(pp.pp, 1, nil, "x", { Password = "p" })
  io.stdout = real
  t.check(ok, err)
  t.eq(table.concat(out), '1\nnil\n"x"\n{ Password = <redacted> }\n')
  t.eq(select("#", pp.pp()), 0, "returns nothing")
end)

t.finish()
