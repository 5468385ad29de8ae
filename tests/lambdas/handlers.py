"""Python Lambda handlers the runner tests use (each is what a developer might deploy)."""
import logging
import os
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def echo(event, context):
    event["response"] = {"echoed": True, "pid": os.getpid()}
    return event


def fail(event, context):
    raise ValueError("Registration from this domain is not allowed.")


def hang(event, context):
    time.sleep(30)
    return event


def slow(event, context):
    time.sleep(event.get("seconds", 0.2))
    event["response"] = {"slept": event.get("seconds", 0.2)}
    return event


def crash(event, context):
    os._exit(3)


def garbage(event, context):
    return {"not", "json"}


def text(event, context):
    return "just a string"


def nothing(event, context):
    return None


def leak(event, context):
    hoard = bytearray(4 * 1024 * 1024 * 1024)      # beyond the worker's memory limit
    return {"size": len(hoard)}


def chatty(event, context):
    print("hello from the handler", event.get("n"))
    logger.info("an info line")
    logging.getLogger("app").warning("a warning line")
    event["response"] = {"said": "hello"}
    return event


def context_info(event, context):
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "env_name": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        "region": os.environ["AWS_REGION"],
        "cwd": os.getcwd(),
    }


def pid(event, context):
    return {"pid": os.getpid(), "n": event.get("n")}


def rendezvous(event, context):
    """Concurrency without a clock: leaves a file in event["dir"], then waits (at most
    event["within"] seconds) until event["party"] files are there, i.e. until that many calls
    have started. Calls run one at a time can't meet: the first one gives up, met < party."""
    folder = event["dir"]
    with open(os.path.join(folder, f"{event['n']}-{os.getpid()}"), "w"):
        pass
    deadline = time.monotonic() + event.get("within", 20)
    while len(os.listdir(folder)) < event["party"] and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"n": event["n"], "met": len(os.listdir(folder)), "pid": os.getpid()}


def switch(event, context):
    """One function that misbehaves on request: {"do": "hang" | "crash" | "fail" | ...}.
    With "started": a file path, it first writes its pid there (the call is under way)."""
    if event.get("started"):
        with open(event["started"] + ".part", "w") as f:
            f.write(str(os.getpid()))
        os.replace(event["started"] + ".part", event["started"])  # appears whole
    action = event.get("do")
    if action == "hang":
        time.sleep(30)
    elif action == "crash":
        os._exit(3)
    elif action == "fail":
        raise RuntimeError("asked to fail")
    elif action == "garbage":
        return {1, 2}
    elif action == "leak":
        return leak(event, context)
    return {"pid": os.getpid(), "n": event.get("n")}
