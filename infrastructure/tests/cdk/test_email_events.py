"""The contract of SES_EVENTS_QUEUE_URL, checked through real SNS and SQS APIs (moto server).

The topic, queue, dead-letter queue and subscription are created with the settings the
synthesized production template gives them, then SES-shaped events are published to the
topic. What the worker receives is what the backend must parse: with raw message delivery,
the message body is the SES event JSON itself (``eventType``, ``mail``, ``bounce`` or
``complaint``), not an SNS envelope. The sample events in ``ses_events/`` follow the
configuration-set event format SES publishes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from cdk_synth import Synthesized

EVENTS_DIR = Path(__file__).parent / "ses_events"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client(service: str, endpoint: str) -> Any:
    """An SNS or SQS client of the moto server (untyped: no stubs for SQS in the tree)."""
    make_client: Any = boto3.client
    return make_client(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def resource_of(template: dict[str, Any], resource_type: str, **properties: Any) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == resource_type
        and all(r["Properties"].get(k) == v for k, v in properties.items())
    ]
    (found,) = matches
    return found


@pytest.fixture
def email_events(synthesized: Any, moto_endpoint: str) -> dict[str, str]:
    """The production email-events path, as the template builds it, in moto."""
    env: Synthesized = synthesized("production")
    template = env.raw("Notification")
    topic_name = "production-email-events"
    queue = resource_of(template, "AWS::SQS::Queue", QueueName=topic_name)
    resource_of(template, "AWS::SNS::Topic", TopicName=topic_name)
    (subscription,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::SNS::Subscription" and r["Properties"]["Protocol"] == "sqs"
    ]

    sns, sqs = client("sns", moto_endpoint), client("sqs", moto_endpoint)
    for existing in sqs.list_queues().get("QueueUrls", []):
        sqs.delete_queue(QueueUrl=existing)
    dlq_url = sqs.create_queue(QueueName=f"{topic_name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": queue["RedrivePolicy"]["maxReceiveCount"],
    }
    queue_url = sqs.create_queue(
        QueueName=topic_name,
        Attributes={
            "RedrivePolicy": json.dumps(redrive),
            "MessageRetentionPeriod": str(queue["MessageRetentionPeriod"]),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol=subscription["Protocol"],
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": str(subscription["RawMessageDelivery"]).lower()},
    )
    return {"topic_arn": topic_arn, "queue_url": queue_url, "dlq_url": dlq_url}


def publish(endpoint: str, topic_arn: str, event_file: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIR / event_file).read_text(encoding="utf-8"))
    # SES publishes the event as the SNS message: a JSON string.
    client("sns", endpoint).publish(TopicArn=topic_arn, Message=json.dumps(event))
    return event


def receive(endpoint: str, queue_url: str, *, visibility_timeout: int = 30) -> list[Any]:
    response = client("sqs", endpoint).receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=visibility_timeout
    )
    messages: list[Any] = response.get("Messages", [])
    return messages


@pytest.mark.parametrize("event_file", ["bounce.json", "complaint.json"])
def test_the_message_body_is_the_ses_event(
    email_events: dict[str, str], moto_endpoint: str, event_file: str
) -> None:
    event = publish(moto_endpoint, email_events["topic_arn"], event_file)
    (message,) = receive(moto_endpoint, email_events["queue_url"])
    body = json.loads(message["Body"])
    assert body == event
    assert "Type" not in body and "TopicArn" not in body  # no SNS envelope
    recipients_key = {"Bounce": "bouncedRecipients", "Complaint": "complainedRecipients"}
    addresses = [
        r["emailAddress"]
        for r in body[body["eventType"].lower()][recipients_key[body["eventType"]]]
    ]
    assert addresses == [event["mail"]["destination"][0]]
    client("sqs", moto_endpoint).delete_message(
        QueueUrl=email_events["queue_url"], ReceiptHandle=message["ReceiptHandle"]
    )
    assert receive(moto_endpoint, email_events["queue_url"]) == []


def test_an_event_failing_five_times_moves_to_the_dead_letter_queue(
    email_events: dict[str, str], moto_endpoint: str
) -> None:
    event = publish(moto_endpoint, email_events["topic_arn"], "bounce.json")
    # A worker that never deletes the message: it comes back after each receive.
    for _ in range(5):
        (message,) = receive(moto_endpoint, email_events["queue_url"], visibility_timeout=0)
        assert json.loads(message["Body"]) == event
    assert receive(moto_endpoint, email_events["queue_url"], visibility_timeout=0) == []
    (dead,) = receive(moto_endpoint, email_events["dlq_url"])
    assert json.loads(dead["Body"]) == event
