/* test_model.c - the generated tables and the lookups over them. */
#include <string.h>

#include "check.h"
#include "iamsh/model.h"

static void test_services(void)
{
    const model_service *iam = model_service_find("iam"), *sts = model_service_find("sts");
    CHECK(iam && sts);
    CHECK(model_service_find("s3") == NULL);
    CHECK_INT(iam->nops, 176);
    CHECK_INT(sts->nops, 11);
    CHECK_STR(iam->api_version, "2010-05-08");
    CHECK_STR(iam->xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
    CHECK_STR(iam->global_endpoint, "iam.amazonaws.com");
    CHECK_STR(iam->signing_name, "iam");
    CHECK_STR(sts->api_version, "2011-06-15");
    CHECK_INT(iam->npaginators, 34);
    CHECK_INT(sts->npaginators, 0);
    CHECK_INT(iam->nwaiters, 4);
}

static void test_snake_names(void)
{
    const model_service *iam = model_service_find("iam");
    static const char *pairs[][2] = {
        {"CreateSAMLProvider", "create_saml_provider"},
        {"ListMFADevices", "list_mfa_devices"},
        {"GetAccountAuthorizationDetails", "get_account_authorization_details"},
        {"ListOpenIDConnectProviders", "list_open_id_connect_providers"},
        {"UploadSSHPublicKey", "upload_ssh_public_key"},
        {"GetSSHPublicKey", "get_ssh_public_key"},
        {"ListAccessKeys", "list_access_keys"},
        {"CreateRole", "create_role"},
        {"DeactivateMFADevice", "deactivate_mfa_device"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const model_op *a = model_op_find(iam, pairs[i][0]), *b = model_op_find(iam, pairs[i][1]);
        CHECK(a != NULL && a == b);
        if (a)
            CHECK_STR(a->snake, pairs[i][1]);
    }
    const model_op *sts = model_op_find(model_service_find("sts"), "assume_role_with_saml");
    CHECK(sts && strcmp(sts->name, "AssumeRoleWithSAML") == 0);
    CHECK(model_op_find(iam, "create_rolex") == NULL);
    CHECK(model_op_find(iam, "") == NULL);
    CHECK(model_op_find(iam, "createRole") == NULL);
    /* Every op is found by both names. */
    for (unsigned i = 0; i < iam->nops; i++) {
        CHECK(model_op_find(iam, iam->ops[i].name) == &iam->ops[i]);
        CHECK(model_op_find(iam, iam->ops[i].snake) == &iam->ops[i]);
    }
}

static void test_shapes(void)
{
    const model_op *op = model_op_find(model_service_find("iam"), "create_role");
    CHECK_STR(op->result_wrapper, "CreateRoleResult");
    const model_member *m = model_member_find(op->input, "RoleName");
    CHECK(m && (m->flags & MODEL_M_REQUIRED));
    CHECK(m && m->shape->type == MODEL_STRING && m->shape->min == 1 && m->shape->max == 64);
    CHECK(m && strcmp(m->shape->pattern, "[\\w+=,.@-]+") == 0);
    m = model_member_find(op->input, "Path");
    CHECK(m && !(m->flags & MODEL_M_REQUIRED));
    m = model_member_find(op->input, "AssumeRolePolicyDocument");
    CHECK(m && model_is_policy(m->shape));
    m = model_member_find(op->input, "Tags");
    CHECK(m && m->shape->type == MODEL_LIST && m->shape->member->type == MODEL_STRUCTURE);
    CHECK(model_member_find(op->input, "Nope") == NULL);
    const model_shape *secret = model_shape_find(model_service_find("iam"), "accessKeySecretType");
    CHECK(model_is_sensitive(secret));
    const model_shape *status = model_shape_find(model_service_find("iam"), "statusType");
    CHECK(status && status->nenums >= 2 && strcmp(status->enums[0], "Active") == 0);
    CHECK(
        model_is_policy(model_shape_find(model_service_find("sts"), "sessionPolicyDocumentType")));
    CHECK(!model_is_policy(model_shape_find(model_service_find("iam"), "policyNameType")));
    CHECK(model_op_find(model_service_find("iam"), "delete_role")->output == NULL);
    CHECK_STR(model_type_name(MODEL_TIMESTAMP), "timestamp");
}

/* Which operations a read-only client (--plan) sends. */
static void test_read_only(void)
{
    const model_service *iam = model_service_find("iam"), *sts = model_service_find("sts");
    CHECK(model_op_is_read_only(model_op_find(iam, "GetRole")));
    CHECK(model_op_is_read_only(model_op_find(iam, "ListRoles")));
    CHECK(model_op_is_read_only(model_op_find(iam, "SimulatePrincipalPolicy")));
    CHECK(model_op_is_read_only(model_op_find(sts, "AssumeRole")));
    CHECK(!model_op_is_read_only(model_op_find(iam, "CreateRole")));
    CHECK(!model_op_is_read_only(model_op_find(iam, "GenerateCredentialReport")));
    CHECK(model_op_find(sts, "AssumeRoleWithWebIdentity")->flags & MODEL_OP_UNSIGNED);
    CHECK(!(model_op_find(sts, "AssumeRole")->flags & MODEL_OP_UNSIGNED));
}

static void test_errors_paginators_waiters(void)
{
    const model_service *iam = model_service_find("iam");
    const model_error *e = model_error_find(iam, "NoSuchEntity");
    CHECK(e && e->status == 404 && e->sender_fault &&
          strcmp(e->shape, "NoSuchEntityException") == 0);
    CHECK(model_error_find(iam, "LimitExceededException") != NULL);
    const model_op *op = model_op_find(iam, "GetRole");
    CHECK(op->nerrors >= 1);
    CHECK_STR(iam->errors[op->errors[0]].code, "NoSuchEntity");
    const model_paginator *p = model_paginator_find(iam, "list_roles");
    CHECK(p && strcmp(p->input_token, "Marker") == 0 && strcmp(p->limit_key, "MaxItems") == 0);
    CHECK(p && strcmp(p->more_results, "IsTruncated") == 0 && p->nresult_keys == 1);
    CHECK(p && strcmp(p->result_keys[0], "Roles") == 0);
    p = model_paginator_find(iam, "GetAccountAuthorizationDetails");
    CHECK(p && p->nresult_keys == 4);
    CHECK(model_paginator_find(iam, "create_role") == NULL);
    const model_waiter *w = model_waiter_find(iam, "role_exists");
    CHECK(w && w == model_waiter_find(iam, "RoleExists"));
    CHECK(w && w->delay == 1 && w->max_attempts == 20 && w->nacceptors == 2);
    CHECK(w && strcmp(w->op->name, "GetRole") == 0);
    CHECK(w && w->acceptors[0].expected_kind == MODEL_EXP_NUMBER &&
          w->acceptors[0].expected_num == 200);
    CHECK(w && strcmp(w->acceptors[1].matcher, "error") == 0 &&
          strcmp(w->acceptors[1].expected, "NoSuchEntity") == 0);
    CHECK(model_waiter_find(iam, "instance_profile_exists")->max_attempts == 40);
}

static void test_names(void)
{
    const model_service *iam = model_service_find("iam");
    CHECK_STR(model_op_name_at(iam, 0, 1), "accept_delegation_request");
    CHECK_STR(model_op_name_at(iam, 0, 0), "AcceptDelegationRequest");
    CHECK(model_op_name_at(iam, 176, 1) == NULL);
    for (unsigned i = 1; i < iam->nops; i++)
        CHECK(strcmp(model_op_name_at(iam, i - 1, 1), model_op_name_at(iam, i, 1)) < 0);
}

int main(void)
{
    test_services();
    test_snake_names();
    test_shapes();
    test_errors_paginators_waiters();
    test_names();
    test_read_only();
    return check_summary();
}
