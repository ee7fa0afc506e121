-- aws.json and aws.sigv4 from Lua (no network).
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
local t = require("harness")
local json = aws.json

t.test("arrays stay arrays, objects objects", function()
  local v = json.decode('{"a":[1,2,3],"b":{"c":"d"},"e":[]}')
  t.eq(#v.a, 3)
  t.eq(v.b.c, "d")
  t.eq(json.encode(v.e), "[]", "an empty decoded array re-encodes as []")
  t.eq(json.encode({}), "{}")
  t.eq(json.encode(json.array {}), "[]")
  t.eq(json.encode({ 1, "x", true }), '[1,"x",true]')
end)

t.test("null, numbers, booleans", function()
  local v = json.decode('{"n":null,"i":42,"f":1.5,"t":true,"big":12345678901}')
  t.eq(v.n, json.null)
  t.eq(math.type(v.i), "integer")
  t.eq(v.f, 1.5)
  t.eq(v.t, true)
  t.eq(v.big, 12345678901)
  t.eq(json.encode({ x = json.null }), '{"x":null}')
end)

t.test("decode errors name the position", function()
  local err = t.raises(function() json.decode('{"a": [1, 2,, 3]}') end)
  t.check(tostring(err):find("invalid JSON at byte 13", 1, true), tostring(err))
  err = t.raises(function() json.decode('{} x') end)
  t.check(tostring(err):find("invalid JSON at byte 4: near 'x'", 1, true), tostring(err))
  t.eq(json.decode(' [1] \n')[1], 1, "whitespace around the value is fine")
  err = t.raises(function() json.decode('["ab\\u0000cd"]') end)
  t.check(tostring(err):find("invalid JSON at byte 5", 1, true), "a NUL escape is refused, not truncated: " .. tostring(err))
  t.eq(json.decode('["a\\\\u0000"]')[1], "a\\u0000", "an escaped backslash before u0000 is text")
  err = t.raises(function() json.decode('"ab\0cd"') end)
  t.check(tostring(err):find("invalid JSON at byte 4: a control character (0x00) must be escaped", 1, true),
    "a raw NUL is refused, not a string cut at 2: " .. tostring(err))
  err = t.raises(function() json.decode('{"k": "line\nbreak"}') end)
  t.check(tostring(err):find("byte 12: a control character (0x0A)", 1, true), tostring(err))
  t.eq(json.decode('"tab\\tok"'), "tab\tok", "an escaped control character is fine")
  -- cJSON reads \u with digits that are not hex as U+0000: found by fuzz_json
  err = t.raises(function() json.decode('"\\u\\u5\\u#a\\u\\Gud"') end)
  t.check(tostring(err):find("invalid JSON at byte 2", 1, true), "a \\u without hex digits: " .. tostring(err))
  t.eq(#json.decode('"\\u00e9\\uD83D\\uDE00"'), 6, "hex digits in either case")
  err = t.raises(function() json.decode('"ab\\q"') end)
  t.check(tostring(err):find("invalid JSON at byte 4", 1, true), "an escape RFC 8259 lacks: " .. tostring(err))
  err = t.raises(function() json.decode('"ab\\\0"') end)
  t.check(tostring(err):find("invalid JSON at byte 4", 1, true), "a backslash before a raw NUL: " .. tostring(err))
end)

t.test("encode errors name the path", function()
  local err = t.raises(function() json.encode({ a = { b = { print } } }) end)
  t.check(tostring(err):find("a.b[1]: cannot encode a function", 1, true), tostring(err))
  err = t.raises(function() json.encode({ [true] = 1 }) end)
  t.check(tostring(err):find("keys must be strings", 1, true), tostring(err))
  local cyc = {}
  cyc.self = cyc
  err = t.raises(function() json.encode(cyc) end)
  t.check(tostring(err):find("nested too deeply", 1, true), tostring(err))
  t.raises(function() json.encode(0 / 0) end)
  err = t.raises(function() json.encode({ name = "ok\xff" }) end)
  t.check(tostring(err):find("name: string is not valid UTF-8", 1, true), tostring(err))
  err = t.raises(function() json.encode("\xed\xa0\x80") end)
  t.check(tostring(err):find("not valid UTF-8", 1, true), "a UTF-16 surrogate is refused")
  t.eq(json.encode("h\u{e9}llo \u{1F600}"), '"h\u{e9}llo \u{1F600}"', "valid UTF-8 passes")
end)

t.test("deep input does not crash", function()
  t.raises(function() json.decode(string.rep("[", 100000)) end)
  local ok = pcall(json.decode, string.rep("[", 500) .. string.rep("]", 500))
  t.check(not ok, "nesting beyond the cap is refused")
end)

t.test("aws.sigv4.sign reproduces AWS's get-vanilla vector", function()
  local r = aws.sigv4.sign {
    method = "GET", url = "https://example.amazonaws.com/", region = "us-east-1",
    service = "service", access_key = "AKIDEXAMPLE",
    secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", timestamp = "20150830T123600Z",
  }
  t.eq(r.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
  t.eq(r.x_amz_date, "20150830T123600Z")
  t.check(r.authorization:find("SignedHeaders=host;x-amz-date", 1, true), r.authorization)
  t.eq(r.x_amz_security_token, nil)
end)

t.test("aws.sigv4.sign signs a session token and headers, with the port", function()
  local r = aws.sigv4.sign {
    method = "POST", url = "http://127.0.0.1:8080/", region = "us-east-1", service = "iam",
    headers = { ["Content-Type"] = "application/x-www-form-urlencoded" },
    body = "Action=ListRoles&Version=2010-05-08", access_key = "AKIDEXAMPLE", secret_key = "x",
    session_token = "tok", timestamp = "2015-08-30T12:36:00Z",
  }
  t.eq(r.x_amz_security_token, "tok")
  t.eq(r.host, "127.0.0.1:8080")
  t.check(r.authorization:find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token", 1, true), r.authorization)
  t.check(r.canonical_request:find("host:127.0.0.1:8080", 1, true))
end)

t.test("aws.sigv4.sign rejects bad input clearly", function()
  local err = t.raises(function() aws.sigv4.sign { url = "https://x/", region = "r", service = "s", access_key = "a" } end)
  t.check(tostring(err):find("secret_key: missing", 1, true), tostring(err))
  err = t.raises(function()
    aws.sigv4.sign { url = "ftp://x/", region = "r", service = "s", access_key = "a", secret_key = "b" }
  end)
  t.check(tostring(err):find("aws.sigv4.sign", 1, true), tostring(err))
end)

t.test("parameters are validated before anything is sent", function()
  local err = t.raises(function() iam.create_role { RoleName = "x" } end)
  t.eq(err.code, "ParamValidation")
  t.check(tostring(err):find("create_role: AssumeRolePolicyDocument: missing", 1, true), tostring(err))
  err = t.raises(function()
    iam.create_role { RoleName = "x", AssumeRolePolicyDocument = "{}", Tags = { { Key = "k", Value = "v" }, { Value = "v" } } }
  end)
  t.check(tostring(err):find("create_role: Tags[2].Key: missing", 1, true), tostring(err))
  err = t.raises(function() iam.create_role { RoleName = "x", AssumeRolePolicyDocument = "{not json" } end)
  t.check(tostring(err):find("AssumeRolePolicyDocument", 1, true), tostring(err))
  err = t.raises(function() iam.get_role { RoleName = "bad name!" } end)
  t.check(tostring(err):find("get_role: RoleName", 1, true), tostring(err))
  err = t.raises(function() iam.get_role { RoleName = "r", Colour = "red" } end)
  t.check(tostring(err):find("Colour", 1, true), tostring(err))
  err = t.raises(function() iam.no_such_operation {} end)
  t.check(tostring(err):find("iam has no operation 'no_such_operation'", 1, true), tostring(err))
  t.eq(aws.is_error(err), false)
end)

t.test("aws.base64 round-trips bytes and refuses garbage", function()
  for _, s in ipairs { "", "f", "fo", "foo", "foob", "\0\1\255binary\0" } do
    t.eq(aws.base64.decode(aws.base64.encode(s)), s, "round trip of " .. #s .. " bytes")
  end
  t.eq(aws.base64.encode("foobar"), "Zm9vYmFy")
  t.eq(aws.base64.decode("Zm9vYg=="), "foob")
  t.raises(function() aws.base64.decode("Zm9") end)
  t.raises(function() aws.base64.decode("Zm9*") end)
end)

t.test("encode {indent = n} pretty-prints with sorted keys", function()
  local v = { b = { 1, 2, { x = 1 } }, a = 'q"', c = {}, d = json.array {}, e = json.null, f = 1.5 }
  t.eq(json.encode(v, { indent = 2 }), table.concat({
    "{",
    '  "a": "q\\"",',
    '  "b": [',
    "    1,",
    "    2,",
    "    {",
    '      "x": 1',
    "    }",
    "  ],",
    '  "c": {},',
    '  "d": [],',
    '  "e": null,',
    '  "f": 1.5',
    "}" }, "\n"))
  t.eq(json.encode({ 1, { 2 } }, { indent = 4 }), "[\n    1,\n    [\n        2\n    ]\n]")
  t.eq(json.encode("x", { indent = 1 }), '"x"')
  t.eq(json.encode({ z = 1, y = 2 }), json.encode({ z = 1, y = 2 }, nil), "no options: compact")
  t.eq(json.decode(json.encode(v, { indent = 3 })).b[3].x, 1, "pretty output decodes")
end)

t.test("encode refuses unknown or bad options", function()
  local function msg(opts) return tostring(t.raises(function() json.encode({}, opts) end)) end
  t.check(msg({ indnet = 2 }):find("unknown option 'indnet'", 1, true), msg({ indnet = 2 }))
  t.check(msg({ indent = 0 }):find("indent must be an integer from 1 to 16", 1, true))
  t.check(msg({ indent = 17 }):find("indent must be an integer from 1 to 16", 1, true))
  t.check(msg({ indent = 2.5 }):find("indent must be an integer", 1, true))
  t.check(msg({ indent = "2" }):find("indent must be an integer", 1, true))
  t.check(msg(5):find("options must be a table, got number", 1, true), msg(5))
  t.check(msg({ 2 }):find("options are named", 1, true), msg({ 2 }))
  t.eq(json.encode({}, { indent = 2.0 }), "{}", "2.0 is the integer 2")
end)

t.test("the model is there for Lua", function()
  t.eq(#aws.model.operations("iam"), 176)
  local p = aws.model.paginator("iam", "list_roles")
  t.eq(p.input_token, "Marker")
  t.eq(p.result_keys[1], "Roles")
  local w = aws.model.waiter("iam", "role_exists")
  t.eq(w.operation, "get_role")
  t.eq(require("iam"), iam)
end)

t.finish()
