-- dotenv.lua: in-place updates keep every other line, comment and style.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local dotenv = require("dotenv")

local ORIGINAL = table.concat({
  "# LLM Engineers Handbook settings",
  "OPENAI_API_KEY=sk-keep-me",
  "",
  "# AWS",
  "AWS_REGION=eu-central-1",
  'AWS_ACCESS_KEY="old-key"  # set by hand',
  "export AWS_SECRET_KEY='old secret'",
  "HUGGINGFACE_ACCESS_TOKEN=hf_x # comment kept",
  "",
}, "\n")

t.test("existing keys are replaced in place, everything else kept", function()
  local out, changed = dotenv.update(ORIGINAL, {
    AWS_ACCESS_KEY = "AKIANEW", AWS_SECRET_KEY = "s3cr/t+x", AWS_REGION = "eu-central-1",
  })
  t.eq(table.concat(changed, ","), "AWS_ACCESS_KEY,AWS_SECRET_KEY")
  local want = table.concat({
    "# LLM Engineers Handbook settings",
    "OPENAI_API_KEY=sk-keep-me",
    "",
    "# AWS",
    "AWS_REGION=eu-central-1",
    'AWS_ACCESS_KEY="AKIANEW"  # set by hand',
    "export AWS_SECRET_KEY='s3cr/t+x'",
    "HUGGINGFACE_ACCESS_TOKEN=hf_x # comment kept",
    "",
  }, "\n")
  t.eq(out, want)
end)

t.test("missing keys are appended in the given order", function()
  local out, changed = dotenv.update("A=1\n", { AWS_ARN_ROLE = "arn:aws:iam::1:role/R", AWS_REGION = "eu-west-1" },
    { "AWS_ARN_ROLE", "AWS_REGION" })
  t.eq(out, "A=1\nAWS_ARN_ROLE=arn:aws:iam::1:role/R\nAWS_REGION=eu-west-1\n")
  t.eq(#changed, 2)
end)

t.test("an empty or missing file gets the keys", function()
  t.eq((dotenv.update(nil, { X = "1" })), "X=1\n")
  t.eq((dotenv.update("", { X = "1" })), "X=1\n")
end)

t.test("no change when values are already set", function()
  local out, changed = dotenv.update(ORIGINAL, { AWS_REGION = "eu-central-1", OPENAI_API_KEY = "sk-keep-me" })
  t.eq(out, ORIGINAL)
  t.eq(#changed, 0)
end)

t.test("CRLF files keep CRLF; a last line without newline is handled", function()
  local out = dotenv.update("A=1\r\nB=2\r\n", { B = "3" })
  t.eq(out, "A=1\r\nB=3\r\n")
  t.eq((dotenv.update("A=1", { A = "2" })), "A=2\n")
end)

t.test("values needing quotes are quoted and escaped; line breaks refused", function()
  t.eq((dotenv.update("", { X = 'a b"c' })), 'X="a b\\"c"\n')
  local err = t.raises(function() dotenv.update("", { X = "a\nb" }) end)
  t.check(tostring(err):find("line break", 1, true))
  t.check(not tostring(err):find("a\nb", 1, true), "value not echoed")
end)

t.test("get reads values back, quotes removed", function()
  t.eq(dotenv.get(ORIGINAL, "AWS_ACCESS_KEY"), "old-key")
  t.eq(dotenv.get(ORIGINAL, "AWS_SECRET_KEY"), "old secret")
  t.eq(dotenv.get(ORIGINAL, "HUGGINGFACE_ACCESS_TOKEN"), "hf_x")
  t.eq(dotenv.get(ORIGINAL, "NOPE"), nil)
end)

t.test("every assignment of a key is updated", function()
  t.eq((dotenv.update("X=1\n# c\nX=2\n", { X = "3" })), "X=3\n# c\nX=3\n")
end)

t.finish()
