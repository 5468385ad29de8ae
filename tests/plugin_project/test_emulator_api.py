"""CognitoEmulator directly, for a set-up other than the session's (here: aws-style issuer,
a data dir that survives a restart)."""
import pytest

from emulator.testing import CognitoEmulator


def test_aws_issuer_style_and_data_dir_survive_a_restart(tmp_path):
    with CognitoEmulator(in_memory=False, data_dir=tmp_path, issuer_style="aws",
                         region="eu-west-1") as emu:
        pool_id = emu.client().create_user_pool(PoolName="kept")["UserPool"]["Id"]
        assert pool_id.startswith("eu-west-1_")
        assert emu.issuer(pool_id) == f"https://cognito-idp.eu-west-1.amazonaws.com/{pool_id}"
    assert not emu.running
    with CognitoEmulator(in_memory=False, data_dir=tmp_path, region="eu-west-1") as again:
        assert again.client().describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "kept"


def test_reset_wipes_everything(cognito_emulator, cognito_idp, cognito_pool):
    # The shared emulator: its other pools would go too, so use a private one here.
    with CognitoEmulator() as emu:
        idp = emu.client()
        idp.create_user_pool(PoolName="gone")
        emu.reset()
        assert idp.list_user_pools(MaxResults=10)["UserPools"] == []
    assert cognito_idp.describe_user_pool(UserPoolId=cognito_pool["Id"])


def test_stopped_when_the_block_fails():
    with pytest.raises(ZeroDivisionError):
        with CognitoEmulator() as emu:
            _ = 1 / 0
    assert not emu.running
