"""The catalog of entries: their fields (`fields`), the publishing flow (`apps`), the mirror
request that publishing makes (`mirror_requests`), the public listing and search (`browse`,
`name_order`) and the search index kept from committed rows (`indexing`)."""
