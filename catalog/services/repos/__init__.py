"""Repositories: upstream mirrors and their fetches (`mirrors`), regional forks and pushes
(`forks`), their stored divergence (`refresh`) and light listings (`listing`), source downloads
(`downloads`) and who may clone or push over /git/ (`access`)."""
