"""vmspolicy-acme: an example vmspolicy plugin, as an organisation would write one.

It adds a rule (ACME101: every camera carries an asset tag), a policy pack
(``acme-2026``: ACME's own standard), a loader for the ``.camlist`` exports of
ACME's asset register, and a ``csv`` output format. Everything it uses comes
from the top-level ``vmspolicy`` package, the stable plugin API.
"""

from __future__ import annotations

from typing import Sequence

from vmspolicy import Loader, PackData, Reporter, Rule, hookimpl

from vmspolicy_acme.camlist import CamlistLoader
from vmspolicy_acme.csv_report import CsvReporter
from vmspolicy_acme.pack import ACME_2026
from vmspolicy_acme.rules import CameraAssetTag


@hookimpl
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return (CameraAssetTag,)


@hookimpl
def vmspolicy_packs() -> Sequence[PackData]:
    return (ACME_2026,)


@hookimpl
def vmspolicy_loaders() -> Sequence[Loader]:
    return (CamlistLoader(),)


@hookimpl
def vmspolicy_reporters() -> Sequence[Reporter]:
    return (CsvReporter(),)
