# The seeds' Firehose transformation Lambda, as the tutorial writes it: the reference the
# Swift handler is measured against (`./build.sh bench`). Kept as written, bare except included.
import base64
import json


def lambda_handler(event, context):
    output = []

    for record in event['records']:
        payload = base64.b64decode(record['data']).decode('utf-8')

        try:
            data = json.loads(payload)
            transformed_data = {
                "username": data.get("user"),
                "timestamp": data.get("time"),
                "action": data.get("action")
            }

            output_record = {
                'recordId': record['recordId'],
                'result': 'Ok',
                'data': base64.b64encode(json.dumps(transformed_data).encode('utf-8')).decode('utf-8')
            }
        except:
            output_record = {
                'recordId': record['recordId'],
                'result': 'ProcessingFailed',
                'data': record['data']
            }

        output.append(output_record)

    return {'records': output}
