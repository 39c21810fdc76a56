def test_register_participant(case_worker):
    p = case_worker.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1985-03-12", centre="DSH")
    assert p.code == "DSH-2026-0001"
