from django.apps import AppConfig


class SoinsConfig(AppConfig):
    name = "dui.soins"
    verbose_name = "Soins"

    def ready(self) -> None:
        from dui.soins.banner import allergy_banner
        from dui.usagers.access import RECORD_BANNERS

        if allergy_banner not in RECORD_BANNERS:
            RECORD_BANNERS.append(allergy_banner)
