"""Which relationships of the marts' models become foreign keys of the published marts."""

from __future__ import annotations

import pytest

from orchestration.warehouse.mart_keys import ForeignKey, foreign_keys


def model(name, pk):
    return {
        "resource_type": "model",
        "name": name,
        "columns": {pk: {"constraints": [{"type": "not_null"}, {"type": "primary_key"}]}, "other_id": {}},
    }


def relationship(model_name, column, to, field, severity="ERROR"):
    return {
        "resource_type": "test",
        "name": f"relationships_{model_name}_{column}",
        "attached_node": f"model.p.{model_name}",
        "config": {"severity": severity},
        "test_metadata": {
            "name": "relationships",
            "kwargs": {"column_name": column, "to": f"ref('{to}')", "field": field},
        },
    }


def manifest(*tests):
    nodes = {"model.p.dim_a": model("dim_a", "a_key"), "model.p.fct_b": model("fct_b", "b_key")}
    nodes.update({f"test.p.{i}": t for i, t in enumerate(tests)})
    return {"nodes": nodes}


def test_a_blocking_relationship_to_a_primary_key_is_a_foreign_key():
    keys = foreign_keys(manifest(relationship("fct_b", "a_key", "dim_a", "a_key")), ["dim_a", "fct_b"])
    assert keys == [ForeignKey("fct_b", ("a_key",), "dim_a", ("a_key",))]
    assert keys[0].name == "fct_b_a_key_fkey"


@pytest.mark.parametrize(
    "test",
    [
        relationship("fct_b", "a_key", "dim_a", "a_key", severity="warn"),  # a warning does not block
        relationship("fct_b", "other_id", "dim_a", "other_id"),  # not the primary key
        relationship("fct_b", "a_key", "dim_elsewhere", "a_key"),  # not a published table
    ],
)
def test_other_relationships_are_not_keys(test):
    assert foreign_keys(manifest(test), ["dim_a", "fct_b"]) == []


def test_an_unsafe_column_name_is_refused():
    with pytest.raises(ValueError, match="cannot declare"):
        foreign_keys(manifest(relationship("fct_b", 'a_key"; drop', "dim_a", "a_key")), ["dim_a", "fct_b"])
