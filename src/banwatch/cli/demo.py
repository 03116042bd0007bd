"""`banwatch demo`: the main job on bundled data, with no server and no download."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from banwatch.cli.common import actor, context, out, reports_bad_input
from banwatch.cli.decisions import decide_file
from banwatch.cli.estate import scan as estate_scan
from banwatch.lists.sources import read_list
from banwatch.services.lists import save_list

#: the sample inventories the demo scans (the bad ones in samples/estate/bad are for tests)
ESTATE_SAMPLES = ("osquery-fleet.log", "fin-laptop-17.osquery.json", "installed-programs.csv", "nmap-office.xml",
                  "thirdparty-router-fw.cdx.json", "thirdparty-router-fw.spdx.json")


@reports_bad_input
def demo(out_dir: Annotated[Path, typer.Option("--out", help="Folder for the samples and their reports.")]
         = Path("banwatch-demo")) -> None:
    """The main job on bundled data: decide a reseller's sample order lines, then
    scan a sample fleet's inventories for restricted software and devices."""
    out_dir.mkdir(parents=True, exist_ok=True)
    orders = out_dir / "reseller-orders.csv"
    samples = resources.files("banwatch.samples")
    sdn = out_dir / "ofac-sdn-sample"
    with resources.as_file(samples / "ofac-sdn-sample") as sample:
        shutil.copytree(sample, sdn, dirs_exist_ok=True)
    snapshot = save_list(context().writable_store(), read_list(sdn), str(sdn.resolve()), force=True, actor=actor())
    out.print(f"Loaded the bundled SAMPLE of the OFAC SDN list into {context().store.location} ({snapshot.entities} "
              "entries of mid-2021, a stale sample for the demo: not for compliance use; real use starts with "
              "banwatch lists update)", markup=False)
    with resources.as_file(samples / "reseller-orders.csv") as sample:
        shutil.copyfile(sample, orders)
    out.print(f"Deciding the bundled sample {orders} against the catalog ({len(context().catalog)} measures)")
    decide_file(orders, out_dir / "reseller-orders-decisions.csv")

    fleet = out_dir / "estate"
    fleet.mkdir(exist_ok=True)
    for name in ESTATE_SAMPLES:
        with resources.as_file(samples / "estate" / name) as sample:
            shutil.copyfile(sample, fleet / name)
    out.print(f"\nScanning the bundled sample fleet's inventories in {fleet} "
              f"(osquery, CSV export, nmap, CycloneDX and SPDX SBOMs)")
    estate_scan([fleet / name for name in ESTATE_SAMPLES], out_path=out_dir / "estate-report.html")
