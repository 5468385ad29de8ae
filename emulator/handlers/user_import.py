"""User import jobs: CreateUserImportJob, DescribeUserImportJob, ListUserImportJobs,
StartUserImportJob, StopUserImportJob (the CSV header itself: GetCSVHeader in pools.py)."""
from ..api.registry import operation
from ..domain import user_import


@operation("CreateUserImportJob")
def create_user_import_job(ctx, params):
    pool = ctx.pool
    return {"UserImportJob": user_import.public(user_import.create(ctx, pool, params))}


@operation("DescribeUserImportJob")
def describe_user_import_job(ctx, params):
    pool = ctx.pool
    return {"UserImportJob": user_import.public(user_import.require(ctx, pool, params["JobId"]))}


@operation("ListUserImportJobs")
def list_user_import_jobs(ctx, params):
    pool = ctx.pool
    page, token = user_import.list_jobs(ctx, pool, token=params.get("PaginationToken"),
                                        limit=params["MaxResults"])
    out = {"UserImportJobs": [user_import.public(job) for job in page]}
    if token:
        out["PaginationToken"] = token
    return out


@operation("StartUserImportJob")
def start_user_import_job(ctx, params):
    pool = ctx.pool
    job = user_import.start(ctx, pool, user_import.require(ctx, pool, params["JobId"]))
    # The import runs in the background; its thread waits for this call's transaction.
    user_import.launch(ctx.emu, pool["Id"], job["JobId"])
    return {"UserImportJob": user_import.public(job)}


@operation("StopUserImportJob")
def stop_user_import_job(ctx, params):
    pool = ctx.pool
    job = user_import.stop(ctx, pool, user_import.require(ctx, pool, params["JobId"]))
    return {"UserImportJob": user_import.public(job)}
