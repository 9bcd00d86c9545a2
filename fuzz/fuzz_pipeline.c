/* fuzz_pipeline.c - the pipeline loader, and applying what it loaded to a
 * few fixed rules (field mapping, conditions, placeholders, state; raw
 * CloudTrail and Kubernetes audit fields for the Security Lake mappings). */
#include <sigma.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compiler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "title: one\n"
    "id: 0d2a4c8e-6f31-4b7a-9c5d-1e2f3a4b5c6d\n"
    "tags: [attack.t1059]\n"
    "logsource: {category: process_creation, product: windows}\n"
    "detection:\n"
    "    sel:\n"
    "        Image|endswith: '\\cmd.exe'\n"
    "        CommandLine|contains|all: [a, b]\n"
    "        User|expand: '%admins%'\n"
    "        Hashes: 'MD5=0123456789abcdef0123456789abcdef'\n"
    "    kw:\n"
    "        - evil\n"
    "    ref:\n"
    "        A|fieldref: B\n"
    "    condition: sel or kw or ref\n"
    "fields: [Image, User]\n"
    "---\n"
    "title: two\n"
    "name: two\n"
    "logsource: {product: aws, service: cloudtrail}\n"
    "detection:\n"
    "    sel:\n"
    "        eventName: ConsoleLogin\n"
    "        requestParameters.userName|contains: adm\n"
    "        additionalEventData.MFAUsed: 'No'\n"
    "    filter:\n"
    "        sourceIPAddress|cidr: 10.0.0.0/8\n"
    "        recipientAccountId: null\n"
    "    condition: sel and not filter\n"
    "---\n"
    "title: k8s\n"
    "logsource: {product: kubernetes, service: audit}\n"
    "detection:\n"
    "    sel:\n"
    "        verb: create\n"
    "        objectRef.resource: pods\n"
    "        objectRef.subresource: exec\n"
    "    condition: sel\n"
    "---\n"
    "title: corr\n"
    "correlation:\n"
    "    type: event_count\n"
    "    rules: two\n"
    "    group-by: [userIdentity.arn]\n"
    "    timespan: 5m\n"
    "    condition: {gte: 3}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigma_compiler *c = sigma_compiler_new();
    if (!c)
        return 0;
    sigma_set_option(c, "aws_table_region", "eu-west-2");
    char err[512];
    if (pipeline_set_add_text(c->pipes, "fuzz.yml", (const char *)data, size, err, sizeof err)) {
        sigma_add_source(c, "rules.yml", rules, strlen(rules));
        sigma_compile(c);
        (void)sigma_output(c);
    }
    sigma_compiler_free(&c);
    return 0;
}
