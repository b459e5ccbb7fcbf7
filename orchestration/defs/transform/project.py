"""The dbt project as dagster-dbt sees it; its manifest is prepared by orchestration/dbt_manifest.py."""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
