"""The catalog of entries: their fields (`fields`), the publishing flow (`apps`), the mirror
request that publishing makes (`mirror_requests`), the public listing and search (`browse`,
`name_order`), the search index kept from committed rows (`indexing`), and what adopting an
entry entails: licence obligations, installation notes, dependencies (`adoption`)."""
