# The CDK's standard connector suites parametrize their tests from each connector's acceptance-test-config.yml.
pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
