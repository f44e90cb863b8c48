"""Exchange with other systems: publiccode.yml import (`imports`) and export
(`publiccode_export`), proposals harvested from upstream's file (`harvest`) and the published
catalog as JSON and CSV (`exports`)."""
