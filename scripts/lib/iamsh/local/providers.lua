-- iamsh.local.providers: identity providers, OpenID Connect (what
-- AssumeRoleWithWebIdentity trusts) and SAML.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local res = require("iamsh.local.resources")

local M = {}

local MAX_THUMBPRINTS = 5

-- OpenID Connect ----------------------------------------------------------------------

local function oidc(r, p)
  local a = p.OpenIDConnectProviderArn
  local o = r.store.get("oidc", a)
  if not o then
    errors.no_such("OpenIDConnect Provider not found for arn %s", a)
  end
  return o, a
end

local function check_thumbprints(list)
  if list and #list > MAX_THUMBPRINTS then
    errors.invalid("Thumbprint list must contain fewer than %d entries.", MAX_THUMBPRINTS + 1)
  end
end

-- The provider's URL without its scheme (how IAM names it in the ARN), or
-- nil when it is no https URL with a host.
function M.oidc_host(url)
  local rest = url:match("^[Hh][Tt][Tt][Pp][Ss]://(.+)$")
  if not rest or rest:match("^/") or rest:find("[?#%s]") then
    return nil
  end
  return (rest:gsub("/$", ""))
end

M.CreateOpenIDConnectProvider = { resource = res.new_oidc, fn = function(r, p)
  local host = M.oidc_host(p.Url)
  if not host then
    errors.raise("ValidationError", "Invalid Open ID Connect Provider URL")
  end
  check_thumbprints(p.ThumbprintList)
  local a = util.arn(r, "oidc-provider/", "", host)
  if r.store.get("oidc", a) then
    errors.exists("Provider with url %s already exists.", p.Url)
  end
  local o = { host = host, clients = util.copy(p.ClientIDList or {}), thumbprints = util.copy(p.ThumbprintList or {}),
    created = r.iso, tags = util.add_tags({}, p.Tags) }
  r.store.put("oidc", a, o)
  return { OpenIDConnectProviderArn = a, Tags = util.tags_out(o.tags) }
end }

M.GetOpenIDConnectProvider = { resource = res.oidc, fn = function(r, p)
  local o = oidc(r, p)
  return { Url = o.host, ClientIDList = o.clients, ThumbprintList = o.thumbprints, CreateDate = o.created,
    Tags = util.tags_out(o.tags) }
end }

M.ListOpenIDConnectProviders = { resource = res.star, fn = function(r)
  local out = {}
  for _, kv in ipairs(r.store.list("oidc")) do
    out[#out + 1] = { Arn = kv.key }
  end
  return { OpenIDConnectProviderList = out }
end }

M.DeleteOpenIDConnectProvider = { resource = res.oidc, fn = function(r, p)
  r.store.delete("oidc", p.OpenIDConnectProviderArn)
  return {}
end }

local function change(fn)
  return { resource = res.oidc, fn = function(r, p)
    local o, a = oidc(r, p)
    fn(o, p)
    r.store.put("oidc", a, o)
    return {}
  end }
end

M.AddClientIDToOpenIDConnectProvider = change(function(o, p)
  if not util.contains(o.clients, p.ClientID) then
    o.clients[#o.clients + 1] = p.ClientID
  end
end)

M.RemoveClientIDFromOpenIDConnectProvider = change(function(o, p)
  o.clients = util.without(o.clients, p.ClientID)
end)

M.UpdateOpenIDConnectProviderThumbprint = change(function(o, p)
  check_thumbprints(p.ThumbprintList)
  o.thumbprints = util.copy(p.ThumbprintList)
end)

M.TagOpenIDConnectProvider = change(function(o, p)
  o.tags = util.add_tags(o.tags, p.Tags)
end)

M.UntagOpenIDConnectProvider = change(function(o, p)
  o.tags = util.remove_tags(o.tags, p.TagKeys)
end)

M.ListOpenIDConnectProviderTags = { resource = res.oidc, fn = function(r, p)
  return util.list_in_order("Tags", (oidc(r, p)).tags, p)
end }

-- SAML -----------------------------------------------------------------------------

local function saml(r, p)
  local a = p.SAMLProviderArn
  local s = r.store.get("saml", a)
  if not s then
    errors.no_such("SAMLProvider %s not found", a)
  end
  return s, a
end

-- A metadata document IAM would read: SAML 2.0 metadata, an EntityDescriptor.
-- Its validUntil, when it has one, is the provider's.
local function metadata(doc)
  if not doc:find("<[%w_:]*EntityDescriptor[%s>]") then
    errors.invalid("Could not parse metadata")
  end
  return doc:match('validUntil%s*=%s*"([^"]+)"')
end

M.CreateSAMLProvider = { resource = res.new_saml, fn = function(r, p)
  local a = util.arn(r, "saml-provider/", "", p.Name)
  if r.store.get("saml", a) then
    errors.exists("SAMLProvider %s already exists", p.Name)
  end
  local s = { name = p.Name, metadata = p.SAMLMetadataDocument, valid_until = metadata(p.SAMLMetadataDocument),
    created = r.iso, uuid = r.store.random_id("", 32):lower(), tags = util.add_tags({}, p.Tags),
    encryption = p.AssertionEncryptionMode }
  r.store.put("saml", a, s)
  return { SAMLProviderArn = a, Tags = util.tags_out(s.tags) }
end }

M.GetSAMLProvider = { resource = res.saml, fn = function(r, p)
  local s = saml(r, p)
  local u = s.uuid
  return { SAMLProviderUUID = u:sub(1, 8) .. "-" .. u:sub(9, 12) .. "-" .. u:sub(13, 16) .. "-" .. u:sub(17, 20)
    .. "-" .. u:sub(21, 32), SAMLMetadataDocument = s.metadata, CreateDate = s.created, ValidUntil = s.valid_until,
    Tags = util.tags_out(s.tags), AssertionEncryptionMode = s.encryption }
end }

M.ListSAMLProviders = { resource = res.star, fn = function(r)
  local out = {}
  for _, kv in ipairs(r.store.list("saml")) do
    out[#out + 1] = { Arn = kv.key, ValidUntil = kv.value.valid_until, CreateDate = kv.value.created }
  end
  return { SAMLProviderList = out }
end }

M.UpdateSAMLProvider = { resource = res.saml, fn = function(r, p)
  local s, a = saml(r, p)
  if p.SAMLMetadataDocument then
    s.valid_until = metadata(p.SAMLMetadataDocument)
    s.metadata = p.SAMLMetadataDocument
  end
  s.encryption = p.AssertionEncryptionMode or s.encryption
  r.store.put("saml", a, s)
  return { SAMLProviderArn = a }
end }

M.DeleteSAMLProvider = { resource = res.saml, fn = function(r, p)
  local _, a = saml(r, p)
  r.store.delete("saml", a)
  return {}
end }

local function change_saml(fn)
  return { resource = res.saml, fn = function(r, p)
    local s, a = saml(r, p)
    fn(s, p)
    r.store.put("saml", a, s)
    return {}
  end }
end

M.TagSAMLProvider = change_saml(function(s, p)
  s.tags = util.add_tags(s.tags, p.Tags)
end)

M.UntagSAMLProvider = change_saml(function(s, p)
  s.tags = util.remove_tags(s.tags, p.TagKeys)
end)

M.ListSAMLProviderTags = { resource = res.saml, fn = function(r, p)
  return util.list_in_order("Tags", (saml(r, p)).tags, p)
end }

return M
