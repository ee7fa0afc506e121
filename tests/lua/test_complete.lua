-- The REPL's Tab completion (iamsh.complete), called as readline calls it:
-- the text before the cursor and where the word being completed starts.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
local t = require("harness")
local complete = require("iamsh.complete").complete

-- Complete `line` (cursor at its end); the word starts after the last break
-- character, as readline's word breaks put it.
local function at_end(line)
  local start = #line + 1
  while start > 1 and not line:sub(start - 1, start - 1):find("[%s\"'`@$><=;|&{(,%[%]})+%-*/%%^~#.:]") do
    start = start - 1
  end
  local words, append = complete(line, start)
  return words, append
end

local function joined(words)
  return table.concat(words, " ")
end

t.test("globals, lazy globals and keywords", function()
  t.eq(joined(at_end("pri")), "print")
  t.eq(joined(at_end("ta")), "table tabulate")
  t.eq(joined(at_end("wh")), "while who_can who_can_assume whoami")
  t.eq(joined(at_end("ca")), "can", "the policy engine's helpers")
  t.eq(joined(at_end("x = ia")), "iam")
  t.eq(joined(at_end("prov")), "provision")
end)

t.test("operations of a service from the model", function()
  t.eq(joined(at_end("iam.get_account_summ")), "get_account_summary")
  t.eq(joined(at_end("iam.get_account_")),
    "get_account_authorization_details get_account_password_policy get_account_summary")
  t.eq(joined(at_end("sts.get_c")), "get_caller_identity")
  t.eq(joined(at_end("local r = iam.list_rol")), "list_role_policies list_role_tags list_roles")
  t.eq(joined(at_end("iam.pa")), "pages", "the service's own helpers too")
  t.eq(#at_end("iam.nothing_like_this"), 0)
end)

t.test("fields of tables, methods of strings", function()
  t.eq(joined(at_end("aws.json.enc")), "encode")
  t.eq(joined(at_end("string.up")), "upper")
  _G.some_text = "x"
  t.eq(joined(at_end("some_text:up")), "upper")
  t.eq(joined(at_end("some_text.up")), "upper")
  t.eq(joined(at_end("table.conc")), "concat")
  t.eq(#at_end("undefined_thing.x"), 0, "nothing for an unknown table")
end)

t.test("parameter names inside a call's table", function()
  local words, append = at_end("iam.create_role{Ro")
  t.eq(joined(words), "RoleName")
  t.eq(append, "=")
  t.eq(joined(at_end("iam.create_role({ Ro")), "RoleName", "with parentheses")
  t.eq(joined(at_end('iam.create_role{RoleName = "x", P')), "Path PermissionsBoundary")
  t.eq(joined(at_end('iam.create_role{RoleName = "x", R')), "", "a key already given is not offered")
  t.eq(joined(at_end("iam.get_role{")), "RoleName")
  t.eq(joined(at_end("sts.assume_role{RoleA")), "RoleArn")
end)

t.test("nested structures follow the model", function()
  t.eq(joined(at_end("iam.create_role{Tags = {{K")), "Key")
  t.eq(joined(at_end('iam.create_role{Tags = {{Key = "a", Value = "b"}, {V')), "Value")
  t.eq(joined(at_end("iam.tag_role{RoleName = 'r', Tags = {{")), "Key Value")
end)

t.test("enum values inside quotes", function()
  t.eq(joined(at_end('iam.list_policies{Scope = "')), "AWS All Local")
  t.eq(joined(at_end('iam.list_policies{Scope = "Lo')), "Local")
  t.eq(joined(at_end("iam.update_access_key{Status = 'In")), "Inactive")
  t.eq(#at_end('iam.create_role{RoleName = "ab'), 0, "no enum, nothing offered")
end)

t.test("no table context: nothing from the model", function()
  t.eq(#at_end("x = {Ro"), 0)
  t.eq(joined(at_end("f{ pri")), "print", "in an unknown call's table: values, so globals")
end)

t.finish()
