-- Customer-managed policies: provision.managed_policy{name=, document=,
-- path=, description=} converges one; provision.teardown_managed_policy{name=}
-- deletes it, but only if we made it (the marker in its description or tag).
--
-- A managed policy's document lives in versions: a changed document becomes
-- a new default version; IAM keeps at most 5, so the oldest non-default one
-- goes first when the limit is reached.

local context = require("provision.context")
local calls = require("provision.calls")
local step = require("provision.step")
local policy = require("policy")

local managed = {}

managed.MARKER_TAG = "managed-by"
managed.MARKER = "iamsh"

function managed.arn(name, path)
  return string.format("arn:%s:iam::%s:policy%s%s", context.partition(), context.account(), path or "/", name)
end

local function read(arn)
  local res = calls.get("get_policy", { PolicyArn = arn })
  return res and res.Policy
end

local function default_document(p)
  local res = calls.call("get_policy_version", { PolicyArn = p.Arn, VersionId = p.DefaultVersionId })
  return res.PolicyVersion.Document
end

local function create(def, arn, report)
  local description = def.description or ("Managed by " .. managed.MARKER)
  step.write("add", "create policy " .. def.name, report, function()
    calls.call("create_policy", {
      PolicyName = def.name, Path = def.path, PolicyDocument = def.document, Description = description,
      Tags = { { Key = managed.MARKER_TAG, Value = managed.MARKER } },
    })
  end)
  return arn
end

local function drop_oldest_version(arn, report)
  local versions = calls.all("list_policy_versions", { PolicyArn = arn })
  if #versions < 5 then
    return
  end
  local old = {}
  for _, v in ipairs(versions) do
    if not v.IsDefaultVersion then
      old[#old + 1] = v
    end
  end
  table.sort(old, function(a, b) return tostring(a.CreateDate) < tostring(b.CreateDate) end)
  step.remove(string.format("delete version %s of policy %s", old[1].VersionId, arn), report, function()
    calls.call("delete_policy_version", { PolicyArn = arn, VersionId = old[1].VersionId })
  end)
end

local function update(def, p, report)
  if policy.equal(default_document(p), def.document) then
    step.ok("policy " .. def.name)
    return
  end
  drop_oldest_version(p.Arn, report)
  step.write("change", "update document of policy " .. def.name, report, function()
    calls.call("create_policy_version", { PolicyArn = p.Arn, PolicyDocument = def.document, SetAsDefault = true })
  end)
end

-- Returns {arn=, created=, changes=}.
function managed.converge(def)
  if type(def) ~= "table" or type(def.name) ~= "string" or def.document == nil then
    error("provision.managed_policy: name and document are required", 3)
  end
  local report = step.report()
  local arn = managed.arn(def.name, def.path)
  local p = read(arn)
  if p == nil then
    return { arn = create(def, arn, report), created = true, changes = report }
  end
  update(def, p, report)
  return { arn = arn, created = false, changes = report }
end

local function ours(p)
  if type(p.Description) == "string" and p.Description:find(managed.MARKER, 1, true) then
    return true
  end
  local tags = p.Tags
  if tags == nil then
    local ok, res = pcall(calls.all, "list_policy_tags", { PolicyArn = p.Arn })
    tags = ok and res or {}
  end
  for _, t in ipairs(tags) do
    if t.Key == managed.MARKER_TAG and t.Value == managed.MARKER then
      return true
    end
  end
  return false
end

local function detach_everywhere(arn, report)
  local kinds = {
    { "PolicyRoles", "RoleName", "role", "detach_role_policy" },
    { "PolicyUsers", "UserName", "user", "detach_user_policy" },
    { "PolicyGroups", "GroupName", "group", "detach_group_policy" },
  }
  for page in context.iam().pages("list_entities_for_policy", { PolicyArn = arn }) do
    for _, k in ipairs(kinds) do
      for _, e in ipairs(page[k[1]] or {}) do
        step.remove(string.format("detach %s from %s %s", arn, k[3], e[k[2]]), report, function()
          calls.call(k[4], { [k[2]] = e[k[2]], PolicyArn = arn })
        end)
      end
    end
  end
end

-- Returns {changes=, existed=}. `name` (with optional `path`) or `arn`.
function managed.teardown(def)
  local report = step.report()
  local arn = def.arn or managed.arn(def.name, def.path)
  local p = read(arn)
  if p == nil then
    step.ok("policy " .. arn .. " is already gone")
    return { changes = report, existed = false }
  end
  if not ours(p) and not def.force then
    step.warn("policy " .. arn .. " was not made by iamsh (no marker); leaving it")
    return { changes = report, existed = true }
  end
  detach_everywhere(arn, report)
  for _, v in ipairs(calls.all("list_policy_versions", { PolicyArn = arn })) do
    if not v.IsDefaultVersion then
      step.remove(string.format("delete version %s of policy %s", v.VersionId, arn), report, function()
        calls.call("delete_policy_version", { PolicyArn = arn, VersionId = v.VersionId })
      end)
    end
  end
  step.remove("delete policy " .. arn, report, function()
    calls.call("delete_policy", { PolicyArn = arn }, { conflict = true })
  end)
  return { changes = report, existed = true }
end

return managed
