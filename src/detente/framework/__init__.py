"""The paper's framework, rule pack and safeguard catalogue, as versioned data."""
