-- Customer managed policies: provision.managed_policy{...} converges one;
-- provision.teardown_managed_policy{name=} deletes it, but only if iamsh made
-- it (the marker tag, or the marker in its description).
--
-- A managed policy's document lives in versions: a changed document becomes
-- a new default version; IAM keeps at most 5, so the oldest non-default one
-- goes first when the limit is reached. IAM cannot change a policy's
-- description after it is made: a different one is warned about.

local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local schema = require("provision.schema")
local errors = require("provision.errors")
local tagset = require("provision.tags")
local policy = require("policy")

local managed = {}

managed.MARKER_TAG = "managed-by"
managed.MARKER = "iamsh"

managed.SPEC = schema.define("provision.managed_policy", {
  { "name", "name", max = 128, required = true, doc = "the policy's name" },
  { "document", "document", required = true,
    doc = "the policy document (a table or JSON text; 6,144 characters at most without white space)" },
  { "path", "path", default = "/", doc = "the policy's path (part of its ARN)" },
  { "description", "string",
    doc = "set when the policy is created (IAM cannot change it later); default \"Managed by iamsh\"" },
  { "tags", "tags", doc = "tags, {Key = \"value\"} (the marker tag managed-by=iamsh is added and kept)" },
  { "exclusive", "flag", default = false, doc = "also remove tags the definition does not list (never the marker)" },
})

function managed.arn(name, path)
  return string.format("arn:%s:iam::%s:policy%s%s", state.partition(), state.account(), path or "/", name)
end

local function read(arn)
  local res = calls.get("get_policy", { PolicyArn = arn }, { fresh = state.is_fresh("policy", arn) })
  return res and res.Policy
end

local function with_marker(map)
  local out = { [managed.MARKER_TAG] = managed.MARKER }
  for k, v in pairs(map or {}) do
    out[k] = v
  end
  return out
end

local function create_change(def, arn)
  return { kind = "add", text = "create policy " .. def.name, key = { "policy", arn, "create" }, run = function()
    calls.call("create_policy", {
      PolicyName = def.name, Path = def.path, PolicyDocument = def.document,
      Description = def.description or ("Managed by " .. managed.MARKER), Tags = tagset.list(with_marker(def.tags)),
    })
    state.made("policy", arn, true)
  end }
end

local function oldest_version(arn)
  local versions = calls.all("list_policy_versions", { PolicyArn = arn })
  if #versions < 5 then
    return nil
  end
  local old = {}
  for _, v in ipairs(versions) do
    if not v.IsDefaultVersion then
      old[#old + 1] = v
    end
  end
  table.sort(old, function(a, b) return tostring(a.CreateDate) < tostring(b.CreateDate) end)
  return old[1] and old[1].VersionId
end

local function document_changes(def, p, changes)
  local res = calls.call("get_policy_version", { PolicyArn = p.Arn, VersionId = p.DefaultVersionId })
  local current = res.PolicyVersion.Document
  if policy.equal(current, def.document) then
    step.ok("policy " .. def.name)
    return
  end
  local old = oldest_version(p.Arn)
  if old then
    changes[#changes + 1] = { kind = "destroy", text = string.format("delete version %s of policy %s", old, p.Arn),
      key = { "policy", p.Arn, "version", old }, missing_ok = true, run = function()
        calls.call("delete_policy_version", { PolicyArn = p.Arn, VersionId = old })
      end }
  end
  changes[#changes + 1] = { kind = "change", text = "update document of policy " .. def.name,
    detail = policy.diff(current, def.document), key = { "policy", p.Arn, "document" }, run = function()
      calls.call("create_policy_version", { PolicyArn = p.Arn, PolicyDocument = def.document, SetAsDefault = true })
    end }
end

local function tag_changes(def, p, changes)
  local current = tagset.map(calls.all("list_policy_tags", { PolicyArn = p.Arn }))
  local list, extra = tagset.changes({
    what = "policy " .. def.name, key = { "policy", p.Arn }, current = current,
    want = def.tags and with_marker(def.tags) or nil, exclusive = def.exclusive,
    keep = { [managed.MARKER_TAG] = true },
    tag = function(tags) calls.call("tag_policy", { PolicyArn = p.Arn, Tags = tags }) end,
    untag = function(keys) calls.call("untag_policy", { PolicyArn = p.Arn, TagKeys = keys }) end,
  })
  table.move(list, 1, #list, #changes + 1, changes)
  if #extra > 0 and not def.exclusive then
    step.warn(string.format("policy %s has tags its definition does not list: %s; kept (exclusive=true removes them)",
      def.name, table.concat(extra, ", ")))
  end
end

local function compare(def, p)
  local changes = {}
  document_changes(def, p, changes)
  if def.description ~= nil and (p.Description or "") ~= def.description then
    step.warn(string.format("policy %s has description %s, not %s; IAM cannot change a policy's description "
      .. "(delete and re-create the policy to change it)", def.name, policy.json(p.Description or ""),
      policy.json(def.description)))
  end
  tag_changes(def, p, changes)
  return changes
end

-- Returns {arn=, created=, changes=}.
function managed.converge(def)
  local d, where = schema.check(managed.SPEC, def)
  local size = policy.size(d.document)
  if size > policy.LIMITS.managed then
    errors.definition(where, "document: %d characters without white space; IAM allows %d for a managed policy",
      size, policy.LIMITS.managed)
  end
  local report = step.report()
  local arn = managed.arn(d.name, d.path)
  local created = step.converge("policy", arn, read(arn), create_change(d, arn),
    function(p) return compare(d, p) end, report)
  return { arn = arn, created = created, changes = report }
end

local function ours(p)
  if type(p.Description) == "string" and p.Description:find(managed.MARKER, 1, true) then
    return true
  end
  local ok, tags = pcall(calls.all, "list_policy_tags", { PolicyArn = p.Arn })
  return ok and tagset.map(tags)[managed.MARKER_TAG] == managed.MARKER
end

-- The boundary an entity has now (a read: some IAM implementations ignore
-- ListEntitiesForPolicy's PolicyUsageFilter).
local function boundary_of(kind, name)
  local res = calls.get("get_" .. kind, { [kind == "role" and "RoleName" or "UserName"] = name })
  local e = res and (res.Role or res.User)
  return e and e.PermissionsBoundary and e.PermissionsBoundary.PermissionsBoundaryArn
end

local function remove_boundary(kind, name, arn, report)
  step.write({ kind = "change", text = string.format("remove the permissions boundary %s of %s %s", arn, kind, name),
    key = { kind, name:lower(), "boundary" }, missing_ok = true, run = function()
      calls.call(string.format("delete_%s_permissions_boundary", kind),
        { [kind == "role" and "RoleName" or "UserName"] = name })
    end }, report)
end

-- Where a policy is attached, and where it is a permissions boundary: both
-- keep DeletePolicy from succeeding (aws-conventions 5.3).
local function unlink_everywhere(arn, report)
  local kinds = {
    { "PolicyRoles", "RoleName", "role" }, { "PolicyUsers", "UserName", "user" },
    { "PolicyGroups", "GroupName", "group" },
  }
  local used = calls.all("list_entities_for_policy", { PolicyArn = arn, PolicyUsageFilter = "PermissionsPolicy" })
  local bounded = calls.all("list_entities_for_policy", { PolicyArn = arn, PolicyUsageFilter = "PermissionsBoundary" })
  for _, k in ipairs(kinds) do
    for _, e in ipairs(used[k[1]] or {}) do
      local name = e[k[2]]
      step.write({ kind = "destroy", text = string.format("detach %s from %s %s", arn, k[3], name),
        key = { k[3], name:lower(), "detach", arn }, missing_ok = true, run = function()
          calls.call(string.format("detach_%s_policy", k[3]), { [k[2]] = name, PolicyArn = arn })
        end }, report)
    end
    for _, e in ipairs(k[3] ~= "group" and bounded[k[1]] or {}) do
      if boundary_of(k[3], e[k[2]]) == arn then
        remove_boundary(k[3], e[k[2]], arn, report)
      end
    end
  end
end

managed.TEARDOWN = schema.define("provision.teardown_managed_policy", {
  { "name", "name", max = 128, doc = "the policy's name (with path: in the caller's account)" },
  { "path", "path", default = "/", doc = "the policy's path" },
  { "arn", "string", doc = "the policy's ARN, instead of name and path" },
  { "force", "flag", default = false, doc = "delete it even without iamsh's marker" },
})

-- Returns {changes=, existed=}. `name` (with optional `path`) or `arn`.
function managed.teardown(def)
  local d, where = schema.check(managed.TEARDOWN, def)
  if d.name == nil and d.arn == nil then
    errors.definition(where, "name or arn is required")
  end
  local report = step.report()
  local arn = d.arn or managed.arn(d.name, d.path)
  local p = read(arn)
  if p == nil then
    step.ok("policy " .. arn .. " is already gone")
    return { changes = report, existed = false }
  end
  if not ours(p) and not d.force then
    step.warn("policy " .. arn .. " was not made by iamsh (no marker); leaving it (force=true deletes it anyway)")
    return { changes = report, existed = true }
  end
  unlink_everywhere(arn, report)
  for _, v in ipairs(calls.all("list_policy_versions", { PolicyArn = arn })) do
    if not v.IsDefaultVersion then
      step.write({ kind = "destroy", text = string.format("delete version %s of policy %s", v.VersionId, arn),
        key = { "policy", arn, "version", v.VersionId }, missing_ok = true, run = function()
          calls.call("delete_policy_version", { PolicyArn = arn, VersionId = v.VersionId })
        end }, report)
    end
  end
  step.write({ kind = "destroy", text = "delete policy " .. arn, key = { "policy", arn, "delete" },
    missing_ok = true, run = function() calls.call("delete_policy", { PolicyArn = arn }, { conflict = true }) end },
    report)
  state.gone("policy", arn)
  return { changes = report, existed = true }
end

return managed
