-- iamsh.local.roles: roles, their trust policies and tags, and service-linked
-- roles. (Their policies and boundaries: iamsh.local.attach.)
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local res = require("iamsh.local.resources")

local M = {}

local TRUST_QUOTA = 2048 -- AssumeRolePolicySizeMax, IAM's default

-- The role's principals IAM looks up when it stores a trust policy: users and
-- roles of this account, and its identity providers.
local function principal_exists(r, kind, a)
  local s = util.split_arn(a)
  if not s or s.service ~= "iam" or s.account ~= r.account then
    return true
  end
  local rtype = s.resource:match("^([%w%-]+)/")
  if kind == "AWS" and (rtype == "role" or rtype == "user") then
    local name, path = util.arn_name(a, rtype, r.account)
    local e = entities.get(r, rtype, name)
    return e ~= nil and e.path == path
  end
  if kind == "Federated" and rtype == "oidc-provider" then
    return r.store.get("oidc", a) ~= nil
  end
  if kind == "Federated" and rtype == "saml-provider" then
    return r.store.get("saml", a) ~= nil
  end
  return true
end

local function list_of(v)
  return type(v) == "table" and v or { v }
end

-- An account id as an AWS principal is stored as the account's root ARN.
local function root_arns(r, v, changed)
  if type(v) == "table" then
    for i, x in ipairs(v) do
      v[i], changed = root_arns(r, x, changed)
    end
    return v, changed
  end
  if type(v) == "string" and v:match("^%d%d%d%d%d%d%d%d%d%d%d%d$") then
    return string.format("arn:%s:iam::%s:root", r.partition, v), true
  end
  return v, changed
end

-- The trust policy as IAM stores it, or its refusal: the quota, the grammar,
-- then every principal of this account must exist.
function M.check_trust(r, text)
  text = util.doc_text(text)
  if util.doc_size(text) > TRUST_QUOTA then
    errors.limit("Cannot exceed quota for ACLSizePerRole: %d", TRUST_QUOTA)
  end
  local doc = util.check_doc(text, "trust")
  local statements = doc.Statement[1] and doc.Statement or { doc.Statement }
  local changed = false
  for _, st in ipairs(statements) do
    local pr = type(st.Principal) == "table" and st.Principal or {}
    for _, kind in ipairs({ "AWS", "Federated" }) do
      for _, a in ipairs(pr[kind] and list_of(pr[kind]) or {}) do
        if not principal_exists(r, kind, a) then
          errors.raise("MalformedPolicyDocument", 'Invalid principal in policy: "%s":"%s"', kind, a)
        end
      end
    end
    if pr.AWS then
      pr.AWS, changed = root_arns(r, pr.AWS, changed)
    end
  end
  return changed and aws.json.encode(doc) or text
end

local function role(r, p)
  return entities.find(r, "role", p.RoleName)
end

-- Service-linked roles change only through their service.
function M.modifiable(e)
  if e.linked_service then
    errors.raise("UnmodifiableEntity",
      "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", e.name)
  end
end

local function create(r, p, extra)
  local e = entities.new(r, "role", p.RoleName, p.Path)
  e.trust = M.check_trust(r, p.AssumeRolePolicyDocument)
  e.description = p.Description
  e.max_session = p.MaxSessionDuration or 3600
  e.profiles = {}
  for k, v in pairs(extra or {}) do
    e[k] = v
  end
  e.tags = util.add_tags({}, p.Tags)
  if p.PermissionsBoundary then
    entities.set_boundary(r, e, p.PermissionsBoundary)
  end
  entities.save(r, "role", e)
  return e
end

M.CreateRole = { resource = res.role, fn = function(r, p)
  local out = entities.role_out(r, create(r, p), true)
  out.RoleLastUsed = nil
  return { Role = out }
end }

M.GetRole = { resource = res.role, fn = function(r, p)
  return { Role = entities.role_out(r, role(r, p), true) }
end }

M.ListRoles = { resource = res.listing("role"), fn = function(r, p)
  local out = {}
  for _, e in ipairs(entities.all(r, "role")) do
    if util.under(e.path, p.PathPrefix) then
      out[#out + 1] = entities.role_out(r, e, false)
    end
  end
  return util.list_result("Roles", out, p, function(x) return x.RoleName:lower() end)
end }

M.UpdateRole = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  M.modifiable(e)
  if p.Description then
    e.description = p.Description
  end
  e.max_session = p.MaxSessionDuration or e.max_session
  entities.save(r, "role", e)
  return {}
end }

M.UpdateRoleDescription = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  M.modifiable(e)
  e.description = p.Description
  entities.save(r, "role", e)
  return { Role = entities.role_out(r, e, true) }
end }

M.UpdateAssumeRolePolicy = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  M.modifiable(e)
  e.trust = M.check_trust(r, p.PolicyDocument)
  entities.save(r, "role", e)
  return {}
end }

-- What still holds a role, in IAM's words.
local function role_conflict(e)
  if #e.profiles > 0 then
    errors.conflict("Cannot delete entity, must remove roles from instance profile first.")
  end
  if #e.attached > 0 then
    errors.conflict("Cannot delete entity, must detach all policies first.")
  end
  if next(e.inline) then
    errors.conflict("Cannot delete entity, must delete policies first.")
  end
end

local function delete(r, e)
  role_conflict(e)
  entities.clear_boundary(r, e)
  entities.remove(r, "role", e)
end

M.DeleteRole = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  M.modifiable(e)
  delete(r, e)
  return {}
end }

M.TagRole = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  e.tags = util.add_tags(e.tags, p.Tags)
  entities.save(r, "role", e)
  return {}
end }

M.UntagRole = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  e.tags = util.remove_tags(e.tags, p.TagKeys)
  entities.save(r, "role", e)
  return {}
end }

M.ListRoleTags = { resource = res.role, fn = function(r, p)
  return util.list_in_order("Tags", role(r, p).tags, p)
end }

-- Service-linked roles ----------------------------------------------------------------

-- Role names AWS gives services whose name is not their endpoint's first word,
-- capitalised (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
local SLR_NAMES = {
  autoscaling = "AutoScaling", ["application-autoscaling"] = "ApplicationAutoScaling", ecs = "ECS",
  eks = "AmazonEKS", rds = "RDS", elasticloadbalancing = "ElasticLoadBalancing", elasticbeanstalk = "ElasticBeanstalk",
  cloudtrail = "CloudTrail", config = "Config", guardduty = "AmazonGuardDuty", sagemaker = "AmazonSageMakerNotebooks",
  elasticfilesystem = "AmazonElasticFileSystem", organizations = "Organizations", support = "Support",
  trustedadvisor = "TrustedAdvisor", spot = "EC2Spot", spotfleet = "EC2SpotFleet",
  ["access-analyzer"] = "AccessAnalyzer",
  ssm = "AmazonSSM", lambda = "Lambda", dynamodb = "DynamoDB", redshift = "Redshift", es = "AmazonElasticsearchService",
}

local function camel_words(s)
  return (s:gsub("(%w)([%w]*)%-?", function(a, b) return a:upper() .. b end))
end

-- AWSServiceRoleFor<Service>, or ..._<Prefix> for prefix.service.amazonaws.com.
local function slr_name(service, suffix)
  local words = {}
  for w in service:gsub("%.amazonaws%.com$", ""):gmatch("[^.]+") do
    words[#words + 1] = w
  end
  local main = words[#words]
  local name = "AWSServiceRoleFor" .. (SLR_NAMES[main] or camel_words(main))
  if #words > 1 then
    name = name .. "_" .. camel_words(words[1])
  end
  if suffix then
    name = name .. "_" .. suffix
  end
  return name
end

M.CreateServiceLinkedRole = { resource = res.service_linked_role, fn = function(r, p)
  local service = p.AWSServiceName
  if not service:match("^[%w%-%.]+%.amazonaws%.com$") then
    errors.invalid("Invalid service principal %s", service)
  end
  local trust = aws.json.encode({ Version = "2012-10-17", Statement = { {
    Effect = "Allow", Principal = { Service = { service } }, Action = { "sts:AssumeRole" } } } })
  local e = create(r, { RoleName = slr_name(service, p.CustomSuffix), Path = "/aws-service-role/" .. service .. "/",
    AssumeRolePolicyDocument = trust, Description = p.Description }, { linked_service = service })
  local out = entities.role_out(r, e, true)
  out.RoleLastUsed = nil
  return { Role = out }
end }

M.DeleteServiceLinkedRole = { resource = res.role, fn = function(r, p)
  local e = role(r, p)
  if not e.linked_service then
    errors.invalid("%s is not a service-linked role.", e.name)
  end
  -- AWS deletes the role when its service no longer uses it: nothing uses it here.
  e.inline, e.attached = {}, {}
  delete(r, e)
  local task = string.format("task/aws-service-role/%s/%s/%s", e.linked_service, e.name,
    r.store.random_id("", 8):lower() .. "-" .. r.store.random_id("", 4):lower())
  r.store.put("slr_deletion", task, { status = "SUCCEEDED" })
  return { DeletionTaskId = task }
end }

M.GetServiceLinkedRoleDeletionStatus = { resource = res.star, fn = function(r, p)
  local t = r.store.get("slr_deletion", p.DeletionTaskId)
  if not t then
    errors.no_such("Deletion task %s not found", p.DeletionTaskId)
  end
  return { Status = t.status }
end }

return M
