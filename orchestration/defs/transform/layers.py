"""The dbt project's layers read from a parsed manifest: which layer a node is in and which models are
the marts. Pure functions over the manifest, so importing them builds no assets."""

from collections.abc import Mapping
from typing import Any

LAYERS = ("staging", "intermediate", "marts")


def layer_of(props: Mapping[str, Any]) -> str | None:
    """`staging`, `intermediate` or `marts` from the node's folder under models/, else None."""
    fqn = props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 and fqn[1] in LAYERS else None


def mart_names(manifest: Mapping[str, Any]) -> list[str]:
    """The models of models/marts/: the tables the publish step copies into `marts`."""
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and layer_of(node) == "marts"
    )
