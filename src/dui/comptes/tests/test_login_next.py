"""A page asked with a password-only session is the one shown after the second factor."""


def test_page_asked_before_the_second_factor_is_reached_after_it(client, collegue):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dui.comptes.tests.factories import PASSWORD

    device = TOTPDevice.objects.create(user=collegue, name="t", confirmed=True)
    client.post("/connexion/", {"email": collegue.email, "password": PASSWORD})
    assert client.get("/usagers/?q=dupont").url == "/connexion/code/"
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post("/connexion/code/", {"code": code})
    assert response.url == "/usagers/?q=dupont"
