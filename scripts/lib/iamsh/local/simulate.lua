-- iamsh.local.simulate: IAM's policy simulator (SimulatePrincipalPolicy,
-- SimulateCustomPolicy) on the policy engine: every action on every resource,
-- with the statements that decided.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local principals = require("iamsh.local.principals")
local res = require("iamsh.local.resources")

local M = {}

local DECISIONS = { allow = "allowed", explicit_deny = "explicitDeny", implicit_deny = "implicitDeny" }

-- ContextEntries as the engine's context (values of the *List types are lists).
local function context_of(p, ctx)
  for _, e in ipairs(p.ContextEntries or {}) do
    local values = e.ContextKeyValues or {}
    if (e.ContextKeyType or ""):match("List$") then
      ctx[e.ContextKeyName] = values
    else
      ctx[e.ContextKeyName] = values[1]
    end
  end
  return ctx
end

local function inputs(list, kind, prefix, out)
  for i, text in ipairs(list or {}) do
    out[#out + 1] = principals.compile(util.doc_text(text), kind, "IAM", prefix .. "." .. i)
  end
  return out
end

local function statement_out(m)
  local source_type, id = principals.source(m.policy)
  if source_type == "IAM" then
    source_type = "IAM Policy"
  end
  return { SourcePolicyId = id, SourcePolicyType = source_type }
end

-- One EvaluationResult for action on resource.
local function result(pol, action, resource, p, ctx)
  local req = { identity = pol.identity, boundary = pol.boundary, action = action, resource = resource,
    principal = p.CallerArn or pol.arn, resource_account = p.ResourceOwner and p.ResourceOwner:match("::(%d+):"),
    context = ctx }
  if p.ResourcePolicy then
    req.resource_policy = principals.compile(util.doc_text(p.ResourcePolicy), "resource", "resource", "ResourcePolicy")
  end
  local ok, r = pcall(aws.policy.evaluate, req)
  if not ok then
    errors.invalid("%s", tostring(r))
  end
  local matched = {}
  for _, m in ipairs(r.matched) do
    matched[#matched + 1] = statement_out(m)
  end
  local out = { EvalActionName = action, EvalResourceName = resource, EvalDecision = DECISIONS[r.decision],
    MatchedStatements = matched, MissingContextValues = {} }
  if pol.boundary then
    local b = aws.policy.evaluate({ identity = { pol.boundary }, action = action, resource = resource,
      principal = req.principal, context = ctx })
    out.PermissionsBoundaryDecisionDetail = { AllowedByPermissionsBoundary = b.decision == "allow" }
  end
  return out
end

local function simulate(pol, p)
  local ctx = context_of(p, util.copy(pol.context or {}))
  local items = {}
  for _, action in ipairs(p.ActionNames) do
    for _, resource in ipairs(p.ResourceArns or { "*" }) do
      items[#items + 1] = result(pol, action, resource, p, ctx)
    end
  end
  for i, it in ipairs(items) do
    items[i] = { place = string.format("%06d", i), value = it }
  end
  local page, truncated, marker = util.page(items, p, function(it) return it.place end)
  for i, it in ipairs(page) do
    page[i] = it.value
  end
  return { EvaluationResults = page, IsTruncated = truncated, Marker = marker }
end

-- The policies of the user, group or role an ARN names.
local function source_policies(r, a)
  local s = util.split_arn(a)
  local kind = s and s.service == "iam" and s.account == r.account and s.resource:match("^(%a+)/")
  if kind ~= "user" and kind ~= "role" and kind ~= "group" then
    errors.invalid("Invalid ARN: %s", tostring(a))
  end
  local name = util.arn_name(a, kind, r.account)
  local e = entities.find(r, kind, name)
  if kind == "user" then
    return principals.user(r, e)
  elseif kind == "role" then
    return principals.role(r, e)
  end
  local pol = principals.user(r, { inline = e.inline, attached = e.attached, id = e.id, path = e.path, name = e.name })
  pol.arn = entities.arn(r, "group", e)
  return pol
end

M.SimulatePrincipalPolicy = { resource = function(_, p) return p.PolicySourceArn end,
  fn = function(r, p)
    local pol = source_policies(r, p.PolicySourceArn)
    inputs(p.PolicyInputList, "identity", "PolicyInputList", pol.identity)
    if p.PermissionsBoundaryPolicyInputList then
      pol.boundary = inputs(p.PermissionsBoundaryPolicyInputList, "boundary", "PermissionsBoundaryPolicyInputList",
        {})[1]
    end
    return simulate(pol, p)
  end }

M.SimulateCustomPolicy = { resource = res.star, fn = function(r, p)
  local pol = { identity = inputs(p.PolicyInputList, "identity", "PolicyInputList", {}),
    arn = p.CallerArn or string.format("arn:%s:iam::%s:root", r.partition, r.account),
    context = { ["aws:CurrentTime"] = r.iso, ["aws:EpochTime"] = r.now } }
  if p.PermissionsBoundaryPolicyInputList then
    pol.boundary = inputs(p.PermissionsBoundaryPolicyInputList, "boundary", "PermissionsBoundaryPolicyInputList", {})[1]
  end
  return simulate(pol, p)
end }

return M
