-- iamsh.local.resources: the resource an operation acts on, as IAM names it when
-- it authorizes the call (the ARN in "not authorized to perform: iam:X on
-- resource: ARN"). Each function takes the request context and its parameters.
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")

local M = {}

-- An entity's ARN with its real path when it exists, else with path (or /).
local function entity_arn(r, kind, name, path)
  local e = entities.get(r, kind, name)
  return util.arn(r, entities.KINDS[kind].arn, e and e.path or path or "/", name or "")
end

function M.star()
  return "*"
end

function M.role(r, p)
  return entity_arn(r, "role", p.RoleName, p.Path)
end

-- The user a parameter names, else the caller (an operation on one's own user:
-- GetUser, CreateAccessKey, ... without UserName).
function M.user(r, p)
  local name = p.UserName
  if not name and r.caller and r.caller.kind == "user" then
    name = r.caller.name
  end
  if not name then
    return string.format("arn:%s:iam::%s:root", r.partition, r.account)
  end
  return entity_arn(r, "user", name, p.Path)
end

function M.group(r, p)
  return entity_arn(r, "group", p.GroupName, p.Path)
end

function M.profile(r, p)
  return entity_arn(r, "profile", p.InstanceProfileName, p.Path)
end

function M.policy(_, p)
  return p.PolicyArn
end

function M.new_policy(r, p)
  return util.arn(r, "policy", p.Path or "/", p.PolicyName)
end

function M.oidc(_, p)
  return p.OpenIDConnectProviderArn
end

function M.new_oidc(r, p)
  return util.arn(r, "oidc-provider/", "", (p.Url or ""):gsub("^https://", ""))
end

function M.saml(_, p)
  return p.SAMLProviderArn
end

function M.new_saml(r, p)
  return util.arn(r, "saml-provider/", "", p.Name)
end

function M.service_linked_role(r, p)
  return util.arn(r, "role", "/aws-service-role/" .. (p.AWSServiceName or "") .. "/", "")
end

-- What a list operation names: the kind's ARN up to its PathPrefix.
function M.listing(kind)
  return function(r, p)
    return util.arn(r, kind, p.PathPrefix or "/", "")
  end
end

return M
