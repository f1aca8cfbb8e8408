"""Runs the moto AWS emulator in-process for the deploy rehearsal, on a free loopback port.

Stock moto lacks a few behaviours that applying this stack needs. Each patch below is
emulator-only, named for what it fills in, and leaves the production stack untouched:

1. Step Functions: ValidateStateMachineDefinition (the provider calls it at plan time; moto
   answers 500, which the provider retries until it looks like a hang) and
   ListStateMachineVersions (called on read).
2. EMR Serverless: applications start in CREATED, as on AWS; moto creates them STARTED, which
   the provider does not wait for and which blocks deletion.
3. S3: moto evaluates bucket policies without request context, so the TLS-only Deny
   (aws:SecureTransport = false) would refuse every upload over the emulator's plain HTTP.
   Statements conditioned on aws:SecureTransport are left out of the evaluation.
4. Step Functions executions really run (moto's `execute_state_machine`), and Lambda tasks
   answer from moto's queue of canned results. The aws-sdk integration learns the service name
   `emrserverless`, and converts Step Functions' PascalCase parameters and results to and from
   the API's own member names, as the real service does.
5. Step Functions: StartExecution deep-copies the state machine, and the copy reaches, through
   the machine's backend, every earlier execution's worker and its locks, which cannot be
   copied: the second execution in the emulator's life failed with a 500. The copy now shares
   the backend and the list of executions instead of copying them.
6. S3: deleting a key whose versions include a delete marker (a versioned bucket's object that
   was deleted, as `clicklogger erase` deletes its pending file) failed with a 500: moto disposes
   of each version's data, and a delete marker has none. It now has nothing to dispose of.
7. Lambda: Invoke with a JSON array as its payload (what `clicklogger send` sends) failed with a
   500: moto looks for the qualifier in the body as if it were an object. The API puts it in the
   query string, and it is read from there only.

Usage: python3 moto_launcher.py --port-file FILE [--max-seconds N]
It writes the port to FILE once the server answers, and stops after N seconds or on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def patch_stepfunctions_validation() -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self):
        return json.dumps({"result": "OK", "diagnostics": [], "truncated": False})

    def list_state_machine_versions(self):
        return json.dumps({"stateMachineVersions": []})

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


def patch_emr_serverless_initial_state() -> None:
    import moto.emrserverless.models as emr

    emr.APPLICATION_STATUS = "CREATED"


def patch_s3_policy_transport_condition() -> None:
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def mentions_secure_transport(statement: dict) -> bool:
        return "aws:securetransport" in json.dumps(statement.get("Condition", {})).lower()

    def get_permission(self, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if not mentions_secure_transport(s)]
        if not kept:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**document, "Statement": kept})).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


def enable_executions() -> None:
    from botocore.session import Session
    from moto.core.config import default_user_config
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
        StateTaskService,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
        StateTaskServiceAwsSdk,
    )
    from moto.stepfunctions.parser.utils import camel_to_snake_case

    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    default_user_config["lambda"] = {"use_docker": False}
    # Step Functions names the service `emrserverless`; boto3 calls it `emr-serverless`.
    StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES["emrserverless"] = "emr-serverless"

    session = Session()

    def operation(task, service_name, action_name):
        model = session.get_service_model(task._get_boto_service_name(service_name))
        wanted = task._get_boto_service_action(action_name)
        return next(
            (model.operation_model(n) for n in model.operation_names if camel_to_snake_case(n) == wanted),
            None,
        )

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        op = operation(self, boto_service_name, service_action_name)
        if op is not None and op.input_shape is not None:
            self._to_boto_request(parameters, op.input_shape)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        op = operation(self, boto_service_name, service_action_name)
        if op is not None and op.output_shape is not None:
            self._from_boto_response(response, op.output_shape)

    StateTaskServiceAwsSdk._normalise_parameters = normalise_parameters
    StateTaskServiceAwsSdk._normalise_response = normalise_response


def patch_stepfunctions_repeat_executions() -> None:
    import copy
    import types

    from moto.stepfunctions.parser import models

    def deepcopy(state_machine, memo=None):
        memo = {} if memo is None else memo
        for shared in ("backend", "executions"):
            value = getattr(state_machine, shared, None)
            if value is not None:
                memo[id(value)] = value
        return copy.deepcopy(state_machine, memo)

    # models.py uses copy for this one deepcopy only.
    models.copy = types.SimpleNamespace(deepcopy=deepcopy)


def patch_s3_delete_marker_dispose() -> None:
    from moto.s3.models import FakeDeleteMarker

    FakeDeleteMarker.dispose = lambda self, garbage=False: None


def patch_lambda_invoke_qualifier() -> None:
    from moto.awslambda.responses import LambdaResponse

    invoke = LambdaResponse.invoke

    def invoke_with_any_payload(self):
        get_param = self._get_param
        self._get_param = lambda name, if_none=None: (
            self.querystring.get(name, [if_none])[0] if name == "qualifier" else get_param(name, if_none)
        )
        return invoke(self)

    LambdaResponse.invoke = invoke_with_any_payload


def wait_until_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"moto did not start listening on 127.0.0.1:{port} within {timeout:.0f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv)

    port = free_port()
    # The Step Functions interpreter calls other services on this port.
    os.environ["MOTO_PORT"] = str(port)
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")

    from moto.server import ThreadedMotoServer

    patch_stepfunctions_validation()
    patch_emr_serverless_initial_state()
    patch_s3_policy_transport_condition()
    enable_executions()
    patch_stepfunctions_repeat_executions()
    patch_s3_delete_marker_dispose()
    patch_lambda_invoke_qualifier()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_until_listening(port)
    with open(args.port_file, "w", encoding="utf-8") as f:
        f.write(str(port))

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not stop.wait(args.max_seconds):
        print(f"moto_launcher: stopping after the {args.max_seconds:.0f} s limit", file=sys.stderr)
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
