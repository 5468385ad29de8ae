"""Tags on user pools: TagResource, UntagResource, ListTagsForResource."""
import pytest
from botocore.exceptions import ClientError

from tests.support.factories import error


def test_tags_from_create_are_listed(cognito):
    pool = cognito.create_user_pool(PoolName="tagged",
                                    UserPoolTags={"team": "id", "env": "test"})["UserPool"]
    try:
        assert cognito.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {
            "team": "id", "env": "test"}
    finally:
        cognito.delete_user_pool(UserPoolId=pool["Id"])


def test_tag_untag_and_describe(cognito, pool):
    arn = pool["Arn"]
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}
    cognito.tag_resource(ResourceArn=arn, Tags={"team": "identity", "cost": "42"})
    cognito.tag_resource(ResourceArn=arn, Tags={"cost": "43", "env": ""})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "team": "identity", "cost": "43", "env": ""}
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["UserPoolTags"] == {"team": "identity", "cost": "43", "env": ""}
    cognito.untag_resource(ResourceArn=arn, TagKeys=["cost", "not-there"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity",
                                                                      "env": ""}


def test_unknown_pool_arn(cognito, pool):
    arn = pool["Arn"].rsplit("/", 1)[0] + "/us-east-1_nonexist0"
    for call in (lambda: cognito.list_tags_for_resource(ResourceArn=arn),
                 lambda: cognito.tag_resource(ResourceArn=arn, Tags={"a": "b"}),
                 lambda: cognito.untag_resource(ResourceArn=arn, TagKeys=["a"])):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("ResourceNotFoundException",
                              "User pool us-east-1_nonexist0 does not exist.")


def test_arn_of_another_account_or_region_is_not_found(cognito, pool):
    parts = pool["Arn"].split(":")
    for changed in (parts[:3] + ["eu-west-1"] + parts[4:],
                    parts[:4] + ["999999999999"] + parts[5:]):
        with pytest.raises(ClientError) as exc:
            cognito.list_tags_for_resource(ResourceArn=":".join(changed))
        assert error(exc)[0] == "ResourceNotFoundException"


def test_non_user_pool_arn_is_invalid(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.tag_resource(ResourceArn="arn:aws:s3:us-east-1:123456789012:bucket/thing",
                             Tags={"a": "b"})
    assert error(exc)[0] == "InvalidParameterException"


def test_tag_limits(cognito, pool):
    arn = pool["Arn"]
    with pytest.raises(ClientError) as exc:
        cognito.tag_resource(ResourceArn=arn, Tags={"aws:owner": "me"})
    assert error(exc)[0] == "InvalidParameterException"
    cognito.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as exc:
        cognito.tag_resource(ResourceArn=arn, Tags={"one-more": "v"})
    assert error(exc)[0] == "InvalidParameterException"
    assert len(cognito.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 50


def test_tags_survive_other_updates(cognito, pool):
    cognito.tag_resource(ResourceArn=pool["Arn"], Tags={"keep": "me"})
    cognito.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF")
    assert cognito.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {"keep": "me"}
